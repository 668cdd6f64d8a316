import type { CasContext } from '../core/context';
import type { CasServices } from '../core/services';
import type { ApiRouter } from '../server/api-router';
import { registerHlsRoutes } from '../hls/hls-routes';
import { registerKeyDeliveryRoutes } from './key-delivery-routes';
import { registerPackagerRoutes } from './packager-routes';

/** The content-key routes of the client listener: key delivery, the packager API, and `/hls/...`. */
export function registerKeyClientRoutes(api: ApiRouter, ctx: CasContext, services: CasServices): void {
  const tickets = services.access.tickets;
  registerKeyDeliveryRoutes(api, services.keys, services.access, tickets);
  registerPackagerRoutes(api, ctx, services.keys);
  registerHlsRoutes(api, ctx, services.access, services.urlSigner, tickets);
}
