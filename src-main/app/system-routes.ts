import { statSync } from 'node:fs';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { OpenApiRegistry } from '../http/openapi';
import { accountCount } from '../accounts/account-queries';
import { channelCount } from '../channels/channel-queries';
import { packageCount } from '../packages/package-queries';
import { isoFromMs } from '../kernel/clock';
import { healthSchema, serverStatusSchema, type Alarm } from '../../src-shared/schemas/system';

function alarmsOf(ctx: CasContext): Alarm[] {
  return ctx.alarms.list().map((a) => ({ ...a, since: isoFromMs(a.since), lastFailureAt: isoFromMs(a.lastFailureAt) }));
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes of the database file and its write-ahead log. */
export function databaseBytes(ctx: CasContext): number {
  return fileSize(ctx.runtime.databaseFile) + fileSize(`${ctx.runtime.databaseFile}-wal`);
}

/** The time a probe shows, to the second: written out once a second, not once per probe. */
function secondsClockText(): (ms: number) => string {
  let second = Number.NaN;
  let text = '';
  return (ms) => {
    const now = Math.floor(ms / 1000);
    if (now !== second) text = isoFromMs((second = now) * 1000);
    return text;
  };
}

export function registerHealthRoute(api: ApiRouter, ctx: CasContext): void {
  const timeText = secondsClockText();
  api.route(
    { method: 'get', path: '/healthz', summary: 'Liveness: the listener answers and the database is open; failing background writes as alarms', tag: 'System', access: 'public', response: healthSchema },
    () => {
      // No query per probe: a connection that is open reads, and every failing write raises its alarm at once.
      if (!ctx.db.open) throw new Error('the database is closed');
      const alarms = alarmsOf(ctx).map(({ message: _message, ...alarm }) => alarm);
      return { status: alarms.length > 0 ? ('degraded' as const) : ('ok' as const), version: ctx.runtime.version, time: timeText(ctx.clock.now()), alarms };
    },
  );
}

export function registerSystemRoutes(api: ApiRouter, ctx: CasContext, openapi: OpenApiRegistry): void {
  registerHealthRoute(api, ctx);
  api
    .route(
      { method: 'get', path: '/api/openapi.json', summary: 'This API, as an OpenAPI 3.1 document', tag: 'System', access: 'public' },
      () => openapi.document({ title: 'IPTV CAS Studio', version: ctx.runtime.version }),
    )
    .route(
      { method: 'get', path: '/api/admin/status', summary: 'Server status for the dashboard', tag: 'System', access: 'read', response: serverStatusSchema },
      () => {
        const { runtime, clock, db } = ctx;
        return {
          version: runtime.version,
          startedAt: isoFromMs(runtime.startedAt),
          uptimeSeconds: Math.round((clock.now() - runtime.startedAt) / 1000),
          adminUrl: runtime.adminUrl,
          apiUrl: runtime.apiUrl,
          dataDir: runtime.dataDir,
          apiTlsUrl: runtime.apiTlsUrl,
          tls: runtime.tls,
          databaseBytes: databaseBytes(ctx),
          counts: {
            accounts: accountCount(db),
            channels: channelCount(db),
            packages: packageCount(db),
          },
          alarms: alarmsOf(ctx),
        };
      },
    );
}
