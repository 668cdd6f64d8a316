import type { RunningCas } from '../app/cas';

/** What the tray says about the embedded CAS. */
export interface CasStatus {
  running: boolean;
  adminUrl: string | null;
  apiUrl: string | null;
  adminPort: number | null;
  apiPort: number | null;
  /** Active viewing sessions; null when the CAS is not running. */
  viewersNow: number | null;
}

function portOf(url: string): number | null {
  const port = Number(new URL(url).port);
  return Number.isInteger(port) && port > 0 ? port : null;
}

/** Viewers watching now: the access-control engine's live sessions (in memory, always current). */
export function viewersNow(cas: Pick<RunningCas, 'services'>): number {
  return cas.services.viewingSessions.activeCount;
}

export function casStatusOf(cas: Pick<RunningCas, 'services' | 'adminUrl' | 'apiUrl'> | null): CasStatus {
  if (!cas) return { running: false, adminUrl: null, apiUrl: null, adminPort: null, apiPort: null, viewersNow: null };
  return {
    running: true,
    adminUrl: cas.adminUrl,
    apiUrl: cas.apiUrl,
    adminPort: portOf(cas.adminUrl),
    apiPort: portOf(cas.apiUrl),
    viewersNow: viewersNow(cas),
  };
}
