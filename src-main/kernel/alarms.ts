import type { Logger } from './logger';
import type { Clock } from './clock';

/** A failing background write (or other degraded state), as `/healthz` and the dashboard show it. */
export interface Alarm {
  name: string;
  /** Failures since the alarm was raised. */
  failures: number;
  since: number;
  lastFailureAt: number;
  message: string;
}

/** At most one log line per alarm and interval, however often it fails. */
const LOG_EVERY_MS = 60_000;

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const text = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

/**
 * Raised alarms of the running CAS: a failure is counted and remembered, logged once per
 * interval (never once per failure, so a full disk cannot flood stdout too), and cleared by the
 * next success. Nothing here throws: the caller carries on answering.
 */
export class Alarms {
  readonly #active = new Map<string, Alarm & { loggedAt: number; failuresAtLog: number; lapsesAfterMs: number | null }>();

  constructor(
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /**
   * `lapsesAfterMs`: for a write tried only when a request needs it (no background retry to clear
   * the alarm), the alarm lapses once no attempt has failed for that long.
   */
  raise(name: string, error: unknown, context: string | null = null, lapsesAfterMs: number | null = null): void {
    const now = this.clock.now();
    const message = context ? `${messageOf(error)} (${context})` : messageOf(error);
    let alarm = this.#active.get(name);
    if (!alarm) {
      alarm = { name, failures: 0, since: now, lastFailureAt: now, message, loggedAt: Number.NEGATIVE_INFINITY, failuresAtLog: 0, lapsesAfterMs };
      this.#active.set(name, alarm);
    }
    alarm.failures++;
    alarm.lastFailureAt = now;
    alarm.message = message;
    if (now - alarm.loggedAt >= LOG_EVERY_MS) {
      this.logger.error({ err: error, alarm: name, failures: alarm.failures - alarm.failuresAtLog }, 'background write failing');
      alarm.loggedAt = now;
      alarm.failuresAtLog = alarm.failures;
    }
  }

  clear(name: string): void {
    const alarm = this.#active.get(name);
    if (!alarm) return;
    this.#active.delete(name);
    this.logger.warn({ alarm: name, failures: alarm.failures }, 'background write recovered');
  }

  list(): Alarm[] {
    const now = this.clock.now();
    for (const alarm of this.#active.values()) {
      if (alarm.lapsesAfterMs !== null && now - alarm.lastFailureAt >= alarm.lapsesAfterMs) this.clear(alarm.name);
    }
    return [...this.#active.values()].map(({ name, failures, since, lastFailureAt, message }) => ({ name, failures, since, lastFailureAt, message }));
  }
}
