import type { CasContext } from '../kernel/context';
import type { AccessService } from '../access/access-service';
import type { ControlWords } from '../keys/control-words';
import type { ApiRouter } from '../http/api-router';
import { registerHlsRoutes } from './hls-routes';
import { registerKeyDeliveryRoutes } from './key-delivery-routes';
import { registerPackagerRoutes } from '../keys/packager-routes';

/** The content-key routes of the client listener: key delivery, the packager API, and `/hls/...`. */
export function registerKeyClientRoutes(api: ApiRouter, ctx: CasContext, controlWords: ControlWords, access: AccessService): void {
  registerKeyDeliveryRoutes(api, controlWords, access, access.tickets);
  registerPackagerRoutes(api, ctx, controlWords);
  registerHlsRoutes(api, ctx, access, access.urlSigner, access.tickets);
}
