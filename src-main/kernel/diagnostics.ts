/** The internal work the CAS counts, for tests, benchmarks and troubleshooting. */
type DiagnosticCount = 'accessDecisions' | 'passwordHashChecks' | 'passwordChecksRefused' | 'ecmBuilds' | 'emmBuilds';

/**
 * Counts of internal work (decisions taken, scrypt checks run, ECMs built). Created once by the
 * composition root and handed to the services that count; nothing decides anything from it.
 */
export class Diagnostics {
  readonly counts: Record<DiagnosticCount, number> = { accessDecisions: 0, passwordHashChecks: 0, passwordChecksRefused: 0, ecmBuilds: 0, emmBuilds: 0 };

  count(name: DiagnosticCount): void {
    this.counts[name]++;
  }
}
