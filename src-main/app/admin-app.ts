import type Koa from 'koa';
import type { CasContext } from '../kernel/context';
import type { CasServices } from './services';
import { ForbiddenError } from '../../src-shared/errors';
import { ApiRouter } from '../http/api-router';
import type { LocalControl } from '../http/local-control';
import { createKoaApp } from '../http/koa-app';
import type { OpenApiRegistry } from '../http/openapi';
import { registerSystemRoutes } from './system-routes';
import { registerMetricsRoute } from './metrics-routes';
import { registerAdminAuthRoutes } from '../admin-auth/admin-auth-routes';
import { registerAccountRoutes } from '../accounts/account-routes';
import { registerAccountCsvRoutes } from '../accounts/account-csv-routes';
import { dashboardStatic } from './dashboard-static';
import { registerPackageRoutes } from '../packages/package-routes';
import { registerChannelRoutes } from '../channels/channel-routes';
import { registerSettingsRoutes } from '../settings/settings-routes';
import { registerAuditRoutes } from '../audit/audit-routes';
import { registerApiKeyRoutes } from '../api-keys/api-key-routes';
import { registerKeyRoutes } from '../keys/key-routes';
import { registerDeviceAdminRoutes } from '../devices/device-routes';
import { registerAccessRoutes, registerSessionRoutes } from '../access/access-routes';
import { registerBackupRoutes, type RestartOnto } from '../backups/backup-routes';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The admin listener: the operator's API and (later) the dashboard. On loopback it also refuses
 * requests whose Host is not a loopback name, so a web page cannot reach it by DNS rebinding.
 */
export function createAdminApp(
  ctx: CasContext,
  services: CasServices,
  openapi: OpenApiRegistry,
  options: { loopbackOnly: boolean; restartOnto?: RestartOnto; localControl?: LocalControl },
): Koa {
  const app = createKoaApp('admin', ctx.logger, ctx.metrics);
  app.use(async (koa, next) => {
    if (options.loopbackOnly) {
      const host = koa.host.replace(/:\d+$/, '').toLowerCase();
      if (!LOOPBACK_HOSTS.has(host)) throw new ForbiddenError('The admin API answers on loopback names only', 'host');
    }
    koa.set('X-Content-Type-Options', 'nosniff');
    koa.set('X-Frame-Options', 'DENY');
    koa.set('Referrer-Policy', 'no-referrer');
    if (koa.path.startsWith('/api/')) koa.set('Cache-Control', 'no-store');
    await next();
  });

  const api = new ApiRouter('admin', openapi, (koa) => options.localControl?.authenticate(koa) ?? services.sessions.authenticate(koa));
  registerSystemRoutes(api, ctx, openapi);
  registerMetricsRoute(api, ctx);
  registerAdminAuthRoutes(api, ctx, services.sessions);
  registerAccountCsvRoutes(api, ctx, services.accounts);
  registerAccountRoutes(api, ctx, services.accounts);
  registerPackageRoutes(api, ctx, services.packages);
  registerChannelRoutes(api, ctx, services.channels);
  registerSettingsRoutes(api, ctx);
  registerAuditRoutes(api, ctx);
  registerApiKeyRoutes(api, ctx, services.apiKeys);
  registerKeyRoutes(api, services.keys.status, services.keys.rotation);
  registerDeviceAdminRoutes(api, ctx, services.devices);
  registerAccessRoutes(api, ctx, services.access);
  registerSessionRoutes(api, ctx, services.access);
  registerBackupRoutes(api, ctx, services.backups, options.restartOnto ?? null);

  app.use(dashboardStatic(ctx));
  app.use(api.router.routes());
  app.use(api.router.allowedMethods());
  return app;
}
