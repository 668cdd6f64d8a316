import ratelimit from 'koa-ratelimit';
import type { Context, Middleware } from 'koa';

interface RateLimitOptions {
  /** Distinguishes limiters that share nothing (login, client auth, ...). */
  namespace: string;
  /** Window length in milliseconds. */
  durationMs: number;
  /** Requests allowed per id and window. */
  max: number;
  /** What is limited; `false` skips limiting. Defaults to the TCP peer; client routes pass `callerAddress`. */
  id?: (ctx: Context) => string | false;
}

/**
 * koa-ratelimit with its in-memory driver. The driver needs ONE Map shared across requests (a
 * fresh map per request limits nothing) and never evicts, so expired entries are swept here.
 */
type RateLimit = Middleware & { /** Stops the sweep (a limiter being replaced). */ stop(): void };

export function createRateLimit(options: RateLimitOptions): RateLimit {
  const db = new Map<string, { reset: number }>();
  const sweep = setInterval(() => {
    const nowSeconds = Date.now() / 1000;
    for (const [key, entry] of db) if (entry.reset < nowSeconds) db.delete(key);
  }, Math.max(options.durationMs, 10_000));
  sweep.unref();
  const middleware = ratelimit({
    driver: 'memory',
    db,
    namespace: options.namespace,
    duration: options.durationMs,
    max: options.max,
    id: options.id ?? ((ctx) => ctx.ip),
    errorMessage: 'Too many requests; slow down and try again shortly',
    throw: true,
  });
  return Object.assign(middleware, { stop: () => clearInterval(sweep) });
}
