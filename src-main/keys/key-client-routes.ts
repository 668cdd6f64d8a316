import type { CasContext } from '../core/context';
import type { CasServices } from '../core/services';
import type { ApiRouter } from '../server/api-router';
import { KeyTickets } from '../hls/key-tickets';
import { registerHlsRoutes } from '../hls/hls-routes';
import { registerKeyDeliveryRoutes } from './key-delivery-routes';
import { registerPackagerRoutes } from './packager-routes';

/** The content-key routes of the client listener: key delivery, the packager API, and `/hls/...`. */
export function registerKeyClientRoutes(api: ApiRouter, ctx: CasContext, services: CasServices): void {
  const tickets = new KeyTickets(ctx);
  registerKeyDeliveryRoutes(api, services.keys, services.access, tickets);
  registerPackagerRoutes(api, ctx, services.keys);
  registerHlsRoutes(api, ctx, services.access, services.urlSigner, tickets);
}
