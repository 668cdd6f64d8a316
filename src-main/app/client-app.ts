import type Koa from 'koa';
import type { CasContext } from '../kernel/context';
import type { CasServices } from './services';
import { ApiRouter } from '../http/api-router';
import { createKoaApp } from '../http/koa-app';
import type { OpenApiRegistry } from '../http/openapi';
import { registerHealthRoute } from './system-routes';
import { registerMetricsRoute } from './metrics-routes';
import { authenticateApiKey, API_KEY_PREFIX } from '../api-keys/api-key-service';
import { registerKeyClientRoutes } from '../hls/key-client-routes';
import { registerDashClientRoutes } from '../dash/dash-client-routes';
import { registerDeviceClientRoutes } from '../devices/device-routes';
import { registerStreamingAuthRoutes } from '../auth-backends/backend-routes';
import { registerPlaylistRoutes } from '../playlists/playlist-routes';
import { clientEdge } from './client-edge';

/**
 * The client listener (LAN): streaming servers, packagers, players and set-top boxes.
 * Its router authenticates API keys (packagers); viewer and device routes check their own
 * credentials, since each protocol carries them its own way.
 */
export function createClientApp(ctx: CasContext, services: CasServices, openapi: OpenApiRegistry): Koa {
  const app = createKoaApp('client', ctx.logger, ctx.metrics);
  app.use(clientEdge(ctx, services.access));

  const api = new ApiRouter('client', openapi, (koa) => {
    const match = /^Bearer\s+(\S+)$/i.exec(koa.get('authorization'));
    return match && match[1].startsWith(API_KEY_PREFIX) ? authenticateApiKey(ctx, match[1]) : null;
  });
  registerHealthRoute(api, ctx);
  registerMetricsRoute(api, ctx);
  const { access, directory, urlSigner, tickets } = services;
  registerKeyClientRoutes(api, ctx, { controlWords: services.keys.controlWords, access, directory, urlSigner, tickets, playlists: services.originPlaylists });
  registerDashClientRoutes(api, ctx, { cencKeys: services.keys.cencKeys, access, directory, urlSigner, tickets, origins: services.originPlaylists });
  const { deviceAuth, deviceAuthorizer, signingKey, ecm, emm, streamInfo, logos } = services;
  registerDeviceClientRoutes(api, ctx, { deviceAuth, deviceAuthorizer, signingKey, ecm, emm, streamInfo, logos, directory });
  registerStreamingAuthRoutes(api, ctx, { access, directory });
  registerPlaylistRoutes(api, { ctx, access, directory, urlSigner });

  app.use(api.router.routes());
  app.use(api.router.allowedMethods());
  return app;
}
