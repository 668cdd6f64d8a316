import type { RunningCas } from '../app/cas';
import { firstUsableAdmin } from '../accounts/account-queries';
import type { LoginResponse } from '../../src-shared/schemas/admin-auth';

/** The first enabled, unexpired administrator (the operator of this machine), if any. */
function firstUsableAdminId(cas: Pick<RunningCas, 'ctx'>): number | null {
  return firstUsableAdmin(cas.ctx.db, cas.ctx.clock.now());
}

/**
 * The desktop session handoff: when the setting `desktopAutoLogin` is on, the operator at this
 * machine gets an admin session without typing a password (audited as a sign-in via "desktop").
 * Null when the setting is off or there is no usable administrator yet (first-run page).
 */
export function desktopSessionFor(cas: Pick<RunningCas, 'ctx' | 'services'>): LoginResponse | null {
  if (!cas.ctx.settings.get().desktopAutoLogin) return null;
  const adminId = firstUsableAdminId(cas);
  if (adminId === null) return null;
  return cas.services.sessions.openTrustedSession(adminId, 'desktop');
}
