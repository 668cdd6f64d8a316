import { Counter, Gauge } from 'prom-client';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { CasServices } from './services';
import { databaseBytes } from './system-routes';

/**
 * Adds to `ctx.metrics` what is read when Prometheus scrapes: live sessions, the access-log
 * queue, database size, alarms and the version (the certificate's expiry: see api-tls.ts).
 */
export function registerCasMetrics(ctx: CasContext, services: CasServices): void {
  const registers = [ctx.metrics.registry];
  const { access, viewingSessions } = services;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers, collect() {
      this.set(read());
    } });

  gauge('cas_viewing_sessions', 'Live viewing sessions (players and devices)', () => viewingSessions.activeCount);
  gauge('cas_accounts_watching', 'Accounts with at least one live session', () => viewingSessions.accountsWatching());
  gauge('cas_access_log_queue_rows', 'Access-log rows waiting to be written', () => access.accessLogQueue().pending);
  new Counter({
    name: 'cas_access_log_dropped_total',
    help: 'Decisions dropped from the access log because its queue was full',
    registers,
    collect() {
      // The access log keeps the count; the counter shows it as it is at scrape time.
      this.reset();
      this.inc(access.accessLogQueue().dropped);
    },
  });
  gauge('cas_database_bytes', 'Size of cas.db and its write-ahead log', () => databaseBytes(ctx));
  gauge('cas_alarms_active', 'Raised alarms (a failing background write such as a full disk)', () => ctx.alarms.list().length);
  new Gauge({
    name: 'cas_alarm_failures',
    help: 'Failures since each raised alarm was raised',
    labelNames: ['name'] as const,
    registers,
    collect() {
      this.reset();
      for (const alarm of ctx.alarms.list()) this.set({ name: alarm.name }, alarm.failures);
    },
  });
  new Gauge({
    name: 'cas_info',
    help: 'The running version',
    labelNames: ['version'] as const,
    registers,
    collect() {
      this.set({ version: ctx.runtime.version }, 1);
    },
  });
}

/**
 * `GET /metrics` in the Prometheus text format: on the admin listener for operators and
 * `admin-read` keys, on the client listener for `admin-read` keys only (its router knows no sessions).
 */
export function registerMetricsRoute(api: ApiRouter, ctx: CasContext): void {
  api.route(
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics (text format 0.0.4)', tag: 'System', access: 'read', responseContentType: 'text/plain' },
    (koa) => {
      koa.type = ctx.metrics.contentType;
      koa.set('Cache-Control', 'no-store');
      return ctx.metrics.exposition();
    },
  );
}
