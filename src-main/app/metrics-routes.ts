import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { METRICS_CONTENT_TYPE } from '../kernel/metrics';
import type { CasServices } from './services';
import { databaseBytes } from './system-routes';

/**
 * Adds to `ctx.metrics` what is read when Prometheus scrapes (live sessions, the access-log
 * queue, database size, alarms, event-loop lag, the certificate's expiry). Returns the function that stops the event-loop monitor.
 */
export function registerCasMetrics(ctx: CasContext, services: CasServices): () => void {
  const { registry } = ctx.metrics;
  const { access } = services;

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  registry.collected('cas_event_loop_lag_seconds', 'Event-loop delay since the previous scrape (p50, p99, max)', 'gauge', ['stat'], () => {
    const samples = loop.count > 0 ? ([['p50', loop.percentile(50)], ['p99', loop.percentile(99)], ['max', loop.max]] as const) : [];
    loop.reset();
    return samples.map(([stat, ns]) => [{ stat }, ns / 1e9] as const);
  });
  registry.collected('cas_viewing_sessions', 'Live viewing sessions (players and devices)', 'gauge', [], () => access.sessions.activeCount);
  registry.collected('cas_accounts_watching', 'Accounts with at least one live session', 'gauge', [], () => access.sessions.accountsWatching());
  registry.collected('cas_access_log_queue_rows', 'Access-log rows waiting to be written', 'gauge', [], () => access.log.pending);
  registry.collected('cas_access_log_dropped_total', 'Decisions dropped from the access log because its queue was full', 'counter', [], () => access.log.dropped);
  registry.collected('cas_database_bytes', 'Size of cas.db and its write-ahead log', 'gauge', [], () => databaseBytes(ctx));
  registry.collected('cas_alarms_active', 'Raised alarms (a failing background write such as a full disk)', 'gauge', [], () => ctx.alarms.list().length);
  registry.collected('cas_alarm_failures', 'Failures since each raised alarm was raised', 'gauge', ['name'], () =>
    ctx.alarms.list().map((alarm) => [{ name: alarm.name }, alarm.failures] as const),
  );
  registry.collected('cas_tls_certificate_expiry_timestamp_seconds', 'When the client listener certificate expires', 'gauge', [], () =>
    ctx.runtime.tls ? Date.parse(ctx.runtime.tls.validTo) / 1000 : Number.NaN,
  );
  registry.collected('process_resident_memory_bytes', 'Resident memory of the CAS process', 'gauge', [], () => process.memoryUsage.rss());
  registry.collected('process_start_time_seconds', 'When the CAS started (Unix time)', 'gauge', [], () => ctx.runtime.startedAt / 1000);
  registry.collected('cas_info', 'The running version', 'gauge', ['version'], () => [[{ version: ctx.runtime.version }, 1] as const]);
  return () => loop.disable();
}

/**
 * `GET /metrics` in the Prometheus text format: on the admin listener for operators and
 * `admin-read` keys, on the client listener for `admin-read` keys only (its router knows no sessions).
 */
export function registerMetricsRoute(api: ApiRouter, ctx: CasContext): void {
  api.route(
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format 0.0.4)', tag: 'System', access: 'read', responseContentType: 'text/plain' },
    (koa) => {
      koa.type = METRICS_CONTENT_TYPE;
      koa.set('Cache-Control', 'no-store');
      return ctx.metrics.registry.render();
    },
  );
}
