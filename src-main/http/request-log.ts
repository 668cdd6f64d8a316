import type { Logger } from '../kernel/logger';

/** Requests slower than this are logged one by one. */
const SLOW_REQUEST_MS = 1000;
/** How often the summary of the other requests is written (at most; only when requests came). */
const SUMMARY_EVERY_MS = 60_000;

/**
 * Request logging kept off the hot path (pino writes synchronously): failures (5xx) and slow
 * requests are logged one by one; every other request is only counted, and one summary line
 * (requests by status class) is written at most once a minute. At `debug` level every request
 * is logged, for troubleshooting. A flood therefore costs a counter, never a line per request.
 */
export class RequestLog {
  #since = Date.now();
  #byStatus: Record<string, number> = {};
  #total = 0;

  constructor(private readonly log: Logger) {}

  record(status: number, ms: number, describe: () => Record<string, unknown>): void {
    if (status >= 500) this.log.error(describe(), 'request');
    else if (ms >= SLOW_REQUEST_MS) this.log.warn({ ...describe(), slow: true }, 'request');
    else if (this.log.isLevelEnabled('debug')) this.log.debug(describe(), 'request');
    const statusClass = status === 429 ? '429' : `${Math.floor(status / 100)}xx`;
    this.#byStatus[statusClass] = (this.#byStatus[statusClass] ?? 0) + 1;
    this.#total++;
    const now = Date.now();
    if (now - this.#since >= SUMMARY_EVERY_MS) {
      this.log.info({ requests: this.#total, byStatus: this.#byStatus, seconds: Math.round((now - this.#since) / 1000) }, 'requests');
      this.#since = now;
      this.#byStatus = {};
      this.#total = 0;
    }
  }
}
