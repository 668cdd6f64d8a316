import type { CasContext } from '../kernel/context';
import type { AccessDecider } from '../access/access-types';
import type { UrlSigner } from '../access/url-signing/url-signer';
import type { ViewerDirectory } from '../access/viewer-directory';
import type { KeyTickets } from '../access/viewer-tickets';
import type { ControlWords } from '../keys/control-words';
import type { OriginPlaylists } from './origin-playlists';
import type { ApiRouter } from '../http/api-router';
import { registerHlsRoutes } from './hls-routes';
import { registerKeyDeliveryRoutes } from './key-delivery-routes';
import { registerPackagerRoutes } from '../keys/packager-routes';

/** What key delivery, the packager API and `/hls/...` use. */
interface KeyClientDeps {
  controlWords: ControlWords;
  access: AccessDecider;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
  tickets: KeyTickets;
  playlists: OriginPlaylists;
}

/** The content-key routes of the client listener: key delivery, the packager API, and `/hls/...`. */
export function registerKeyClientRoutes(api: ApiRouter, ctx: CasContext, deps: KeyClientDeps): void {
  registerKeyDeliveryRoutes(api, deps.controlWords, deps.access, deps.tickets);
  registerPackagerRoutes(api, ctx, deps.controlWords);
  registerHlsRoutes(api, ctx, deps);
}
