import type Koa from 'koa';
import type { CasContext } from '../kernel/context';
import type { CasServices } from './services';
import { ForbiddenError } from '../../src-shared/errors';
import { ApiRouter } from '../http/api-router';
import type { LocalControl } from '../http/local-control';
import { createKoaApp } from '../http/koa-app';
import { isLoopbackHost } from '../http/loopback';
import type { OpenApiRegistry } from '../http/openapi';
import { registerSystemRoutes } from './system-routes';
import { registerLinksRoutes } from './links-routes';
import { registerServerLogRoutes } from './server-log-routes';
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
import { CONFIG_IMPORT_PATH, registerConfigRoutes } from '../config-transfer/config-routes';
import { ConfigTransfer } from '../config-transfer/config-transfer';

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
  const app = createKoaApp('admin', ctx.logger, ctx.metrics, { largeJsonPaths: [CONFIG_IMPORT_PATH] });
  app.use(async (koa, next) => {
    if (options.loopbackOnly) {
      const host = koa.host.replace(/:\d+$/, '').toLowerCase();
      if (!isLoopbackHost(host)) throw new ForbiddenError('loopback_only', {}, 'The admin API answers on loopback names only', 'host');
    }
    koa.set('X-Content-Type-Options', 'nosniff');
    koa.set('X-Frame-Options', 'DENY');
    koa.set('Referrer-Policy', 'no-referrer');
    if (koa.path.startsWith('/api/')) koa.set('Cache-Control', 'no-store');
    await next();
  });

  const api = new ApiRouter('admin', openapi, (koa) => options.localControl?.authenticate(koa) ?? services.sessions.authenticate(koa));
  registerSystemRoutes(api, ctx, openapi);
  registerServerLogRoutes(api, ctx);
  registerMetricsRoute(api, ctx);
  registerAdminAuthRoutes(api, services.sessions, services.accounts);
  registerAccountCsvRoutes(api, ctx, services.accounts);
  registerAccountRoutes(api, services.accounts);
  registerPackageRoutes(api, services.packages);
  registerChannelRoutes(api, services.channels);
  registerSettingsRoutes(api, ctx);
  registerLinksRoutes(api, ctx, services.directory);
  registerAuditRoutes(api, ctx);
  registerApiKeyRoutes(api, services.apiKeys);
  registerKeyRoutes(api, services.keys.status, services.keys.rotation);
  const { deviceSessions, signingKey, logos, access, directory, ipLists, viewingSessions, sharing, urlSigner } = services;
  registerDeviceAdminRoutes(api, ctx, { deviceSessions, signingKey, logos });
  registerAccessRoutes(api, ctx, { access, directory, ipLists, viewingSessions, sharing, urlSigner });
  registerSessionRoutes(api, ctx, { access, viewingSessions });
  registerBackupRoutes(api, ctx, services.backups, options.restartOnto ?? null);
  registerConfigRoutes(api, ctx, new ConfigTransfer(ctx, services));

  app.use(dashboardStatic(ctx));
  app.use(api.router.routes());
  app.use(api.router.allowedMethods());
  return app;
}
