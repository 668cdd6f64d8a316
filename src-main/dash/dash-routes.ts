import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { AccessDecider } from '../access/access-types';
import type { ViewerChannel, ViewerDirectory } from '../access/viewer-directory';
import type { KeyTickets } from '../access/viewer-tickets';
import type { UrlSigner } from '../access/url-signing/url-signer';
import { callerAddress } from '../access/caller-address';
import { canonicalPath } from '../../src-shared/net/canonical-path';
import { ApiError } from '../../src-shared/errors';
import { keyIdSchema } from '../../src-shared/schemas/keys';
import { dashPathParamsSchema } from '../../src-shared/schemas/dash';
import { allowAnyOrigin, registerPreflight } from '../http/cors';
import { assertEntitled } from '../hls/key-delivery-routes';
import type { OriginPlaylists } from '../hls/origin-playlists';
import { decodedPath, segmentUrlSigner } from '../hls/edge-signing';
import { httpOriginBase, originKind, readOriginPlaylist, sendOriginSegment } from '../hls/hls-origin';
import { isBelowOrigin } from '../hls/origin-fetch';
import { kidUuid, type CencKeys } from '../keys/cenc-keys';
import { publicUrl } from '../kernel/public-base-url';
import { MpdRejectedError, rewriteMpd } from './mpd-rewriter';

const MANIFEST_PATTERN = /\.mpd$/i;

interface DashDeps {
  access: AccessDecider;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
  tickets: KeyTickets;
  cencKeys: CencKeys;
  /** Channel origins, kept in memory (the same as `/hls` reads). */
  origins: OriginPlaylists;
}

interface MediaUrlContext {
  channelId: string;
  origin: string;
  mediaTicket: string;
  channel: ViewerChannel | undefined;
  /** Signs a media URL for the edge with the channel's scheme (see `segmentUrlSigner`). */
  signForEdge: (url: URL) => string;
  directory: ViewerDirectory;
}

/**
 * Where the viewer's player fetches one media URL of the origin MPD — the rules of `/hls`: below a
 * folder origin, served here with a key ticket; below an HTTP origin, signed for the edge with the
 * channel's scheme (unless another channel's stream folder holds it); anything else exactly as
 * the origin named it, never signed.
 */
function mediaUrlFor(mc: MediaUrlContext, url: URL): string {
  if (originKind(mc.origin) === 'folder') {
    return url.protocol === 'file:' ? `/dash/${mc.channelId}/${url.pathname.replace(/^\/+/, '')}?ticket=${mc.mediaTicket}` : url.href;
  }
  if (!isBelowOrigin(httpOriginBase(mc.origin), url) || !mc.channel) return url.href;
  const verdict = canonicalPath(decodedPath(url) ?? url.pathname);
  const owner = verdict.ok ? mc.directory.channelForPath(verdict.path)?.id : undefined;
  if (owner !== undefined && owner !== mc.channelId) return url.href;
  // nginx secure_link signs one exact path: a `$Number$` template cannot carry its signature.
  if (mc.channel.urlSigning === 'nginx-secure-link' && url.pathname.includes('$')) return url.href;
  return mc.signForEdge(url);
}

/** The KID of a Period: the key its id names (`<period>[-<generation>]`, see the packager API), else the current key. */
function defaultKidResolver(cencKeys: CencKeys, channelId: string): (periodId: string | null) => string {
  let current: string | undefined;
  return (periodId) => {
    const named = periodId !== null && keyIdSchema.safeParse(periodId).success ? cencKeys.cencKeyByKeyId(channelId, periodId) : null;
    if (named) return kidUuid(named.kid);
    current ??= kidUuid(cencKeys.currentCencKeys(channelId).current.kid);
    return current;
  };
}

/**
 * `GET /dash/<channel>/<path>` (client listener). For `*.mpd`: reads the channel's origin MPD
 * (the channel's `hlsOrigin`, HTTP or folder, with the guards of `/hls`) and rewrites it for this
 * viewer — media URLs with a ticket or an edge signature, and per AdaptationSet the CENC and
 * ClearKey ContentProtection naming `/clearkey/<channel>/license?ticket=…`. For media paths of a
 * folder origin: the segment itself (with a ticket from the manifest).
 */
export function registerDashRoutes(api: ApiRouter, ctx: CasContext, deps: DashDeps): void {
  const { access, directory, urlSigner, tickets, cencKeys } = deps;
  api.route(
    {
      method: 'get',
      path: '/dash/:channel/*path',
      summary: 'A channel MPD rewritten for this viewer (CENC + ClearKey ContentProtection, media URLs with a ticket or an edge signature), or a segment of a folder origin',
      tag: 'DASH',
      access: 'public',
      params: dashPathParamsSchema,
      responseContentType: 'application/dash+xml',
    },
    async (koa: Context, { params }) => {
      koa.set('Cache-Control', 'no-store');
      allowAnyOrigin(koa);
      const isManifest = MANIFEST_PATTERN.test(params.path);
      const origin = deps.origins.originOf(params.channel);
      const { accountId } = await assertEntitled(koa, access, tickets, params.channel, isManifest ? 'dash-manifest' : 'dash-segment', isManifest ? ['p', 's'] : ['k', 's']);
      if (!isManifest) {
        await sendOriginSegment(koa, origin, params.path);
        return undefined;
      }
      const settings = ctx.settings.get();
      const { text, url } = await readOriginPlaylist(origin, params.path, settings.hlsOriginTimeoutSeconds * 1000);
      const ip = callerAddress(koa);
      const mediaTicket = tickets.issue('k', params.channel, accountId, ip, settings.hlsKeyTicketSeconds).ticket;
      const channel = directory.channel(params.channel);
      const signForEdge = channel ? segmentUrlSigner(urlSigner, channel, { ip, accountId }) : (mediaUrl: URL) => mediaUrl.href;
      const mc: MediaUrlContext = { channelId: params.channel, origin, mediaTicket, channel, signForEdge, directory };
      try {
        koa.body = rewriteMpd(text, {
          manifestUrl: url,
          mediaUrl: (mediaUrl) => mediaUrlFor(mc, mediaUrl),
          defaultKidOf: defaultKidResolver(cencKeys, params.channel),
          licenseUrl: publicUrl(ctx, `/clearkey/${params.channel}/license?ticket=${mediaTicket}`),
        });
      } catch (error) {
        if (error instanceof MpdRejectedError) throw new ApiError(502, 'origin_unavailable', {}, `The origin manifest was refused: ${error.message}`);
        throw error;
      }
      koa.type = 'application/dash+xml';
      return undefined;
    },
  );
  registerPreflight(api, '/dash/:channel/*path');
}
