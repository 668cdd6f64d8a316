/** The internal work the CAS counts, for tests, benchmarks and troubleshooting. */
type DiagnosticCount =
  | 'accessDecisions'
  | 'passwordHashChecks'
  | 'passwordChecksRefused'
  | 'ecmBuilds'
  | 'emmBuilds'
  /** Account lookups the viewer directory answered from SQLite (a cache miss, found or not). */
  | 'viewerAccountReads'
  /** Loads of the viewer directory's channel table from SQLite. */
  | 'viewerChannelReads';

/**
 * Counts of internal work (decisions taken, scrypt checks run, ECMs built). Created once by the
 * composition root and handed to the services that count; nothing decides anything from it.
 */
export class Diagnostics {
  readonly counts: Record<DiagnosticCount, number> = {
    accessDecisions: 0,
    passwordHashChecks: 0,
    passwordChecksRefused: 0,
    ecmBuilds: 0,
    emmBuilds: 0,
    viewerAccountReads: 0,
    viewerChannelReads: 0,
  };

  count(name: DiagnosticCount): void {
    this.counts[name]++;
  }
}
