import type { Logger } from './logger';
import type { Alarms } from './alarms';

/**
 * Periodic jobs of the running CAS (key rotation, session sweeps, cleanup). A failing run raises
 * the job's alarm (counted, logged once per interval, shown on `/healthz`) and is retried at the
 * next tick; the next success clears it. A run never overlaps the previous one of the same job.
 */
export class BackgroundTasks {
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #shutdownHooks: Array<{ name: string; hook: () => void }> = [];
  #stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly alarms: Alarms,
  ) {}

  every(name: string, intervalMs: number, job: () => unknown, options: { runNow?: boolean } = {}): void {
    let running = false;
    const run = async () => {
      if (running || this.#stopped) return;
      running = true;
      try {
        await job();
        this.alarms.clear(name);
      } catch (error) {
        this.alarms.raise(name, error);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void run(), intervalMs);
    timer.unref();
    this.#timers.add(timer);
    if (options.runNow) void run();
  }

  /** Work to finish when the CAS stops (flush buffers); runs before the database closes. */
  onShutdown(name: string, hook: () => void): void {
    this.#shutdownHooks.push({ name, hook });
  }

  /** Stops the timers, then runs the shutdown hooks (each failure logged, the rest still run). */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    for (const { name, hook } of this.#shutdownHooks.splice(0)) {
      try {
        hook();
      } catch (error) {
        this.logger.error({ err: error, job: name }, 'shutdown hook failed');
      }
    }
  }
}
