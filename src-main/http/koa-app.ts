import Koa from 'koa';
import { bodyParser } from '@koa/bodyparser';
import { ApiError } from '../../src-shared/errors';
import type { Logger } from '../kernel/logger';
import type { Metrics } from '../kernel/metrics';
import { redactedPath, redactedQueryString } from './redact-url';
import { RequestLog } from './request-log';

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * A Koa app with what every listener shares: one error shape (typed errors → their status,
 * client faults from Koa's own parsers → 4xx, anything else → a bare logged 500), request logging
 * off the hot path (see RequestLog) with credentials stripped, request counts and latencies by route, and a JSON body parser with a size limit.
 */
export function createKoaApp(listener: string, logger: Logger, metrics: Metrics, options: { largeJsonPaths?: readonly string[] } = {}): Koa {
  const app = new Koa();
  app.proxy = false;
  const log = logger.child({ listener });
  const requests = new RequestLog(log);

  app.use(async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = new ApiError(404, 'route_not_found', { method: ctx.method, path: ctx.path }, `No route for ${ctx.method} ${ctx.path}`).toBody();
      }
    } catch (error) {
      const status = statusOf(error);
      if (error instanceof ApiError) {
        ctx.status = error.status;
        ctx.body = error.toBody();
      } else if (status !== undefined && status >= 400 && status < 500) {
        ctx.status = status;
        const message = (error as { expose?: boolean; message?: string }).expose ? String((error as Error).message) : 'Bad request';
        const code = status === 413 ? 'body_too_large' : status === 429 ? 'too_many_requests' : 'bad_request';
        ctx.body = new ApiError(status, code, {}, message).toBody();
      } else {
        ctx.status = 500;
        ctx.body = new ApiError(500, 'internal', {}, 'Internal error').toBody();
        log.error({ err: error, method: ctx.method, path: redactedPath(ctx.path) }, 'request failed');
      }
    } finally {
      const ms = performance.now() - started;
      // The route template, never the raw path: a flood of random paths adds one series, not one each.
      const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      metrics.httpRequests.inc(listener, route, ctx.method, String(ctx.status));
      metrics.httpDuration.observe(ms / 1000, listener, route);
      requests.record(ctx.status, ms, () => ({
        method: ctx.method,
        path: redactedPath(ctx.path),
        query: redactedQueryString(ctx.querystring),
        status: ctx.status,
        ms: Math.round(ms * 100) / 100,
        ip: ctx.ip,
      }));
    }
  });

  // Keep the raw body for routes that check an HMAC over it.
  const parseJson = bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' });
  // A few admin routes take whole files (a configuration import); only they get the larger limit.
  const largeJsonPaths = new Set(options.largeJsonPaths ?? []);
  const parseLargeJson = bodyParser({ enableTypes: ['json'], jsonLimit: '64mb', encoding: 'utf-8' });
  app.use((ctx, next) => {
    // Most client requests are GETs: they carry no body to parse.
    if (ctx.method === 'GET' || ctx.method === 'HEAD') return next();
    return largeJsonPaths.has(ctx.path) ? parseLargeJson(ctx, next) : parseJson(ctx, next);
  });

  app.on('error', () => {
    // Errors are answered and logged by the middleware above; Koa's default handler would print them again.
  });
  return app;
}
