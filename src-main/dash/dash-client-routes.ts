import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { AccessService } from '../access/access-service';
import type { UrlSigner } from '../access/url-signing/url-signer';
import type { ViewerDirectory } from '../access/viewer-directory';
import type { KeyTickets } from '../access/viewer-tickets';
import type { CencKeys } from '../keys/cenc-keys';
import type { OriginPlaylists } from '../hls/origin-playlists';
import { registerCencPackagerRoutes } from '../keys/cenc-packager-routes';
import { registerClearKeyRoutes } from './clearkey-routes';
import { registerDashRoutes } from './dash-routes';

interface DashClientDeps {
  cencKeys: CencKeys;
  access: AccessService;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
  tickets: KeyTickets;
  origins: OriginPlaylists;
}

/** The DASH/CENC routes of the client listener: the CENC packager API, `/dash/...` and ClearKey licenses. */
export function registerDashClientRoutes(api: ApiRouter, ctx: CasContext, deps: DashClientDeps): void {
  registerCencPackagerRoutes(api, ctx, deps.cencKeys);
  registerDashRoutes(api, ctx, deps);
  registerClearKeyRoutes(api, deps);
}
