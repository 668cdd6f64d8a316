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
  | 'viewerChannelReads'
  /** Control-word or package-key rows read from SQLite and unsealed (the delivery caches' misses). */
  | 'keyUnseals'
  /** Device-session rows read from SQLite (the session cache's misses). */
  | 'deviceSessionReads'
  /** Playlists read from a channel's HLS origin. */
  | 'originFetches';

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
    keyUnseals: 0,
    deviceSessionReads: 0,
    originFetches: 0,
  };

  count(name: DiagnosticCount): void {
    this.counts[name]++;
  }
}
