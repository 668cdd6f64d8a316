import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { AccessDecider } from '../access/access-types';
import type { ViewerDirectory } from '../access/viewer-directory';
import { callerAddress } from '../access/caller-address';
import { canonicalPath } from '../../src-shared/net/canonical-path';
import type { UrlSigner } from '../access/url-signing/url-signer';
import { hlsPathParamsSchema } from '../../src-shared/schemas/keys';
import { assertEntitled } from './key-delivery-routes';
import { TICKET_COOKIE } from './presented-credential';
import { segmentUrlSigner } from './edge-signing';
import { httpOriginBase, originKind, sendOriginSegment } from './hls-origin';
import { isBelowOrigin } from './origin-fetch';
import type { KeyTickets } from '../access/viewer-tickets';
import type { HlsUriKind } from './playlist-rewriter';
import type { OriginPlaylists, PlaylistSlot } from './origin-playlists';
import { allowAnyOrigin, registerPreflight } from '../http/cors';

const PLAYLIST_PATTERN = /\.m3u8?$/i;
/** `/keys/<channel>/<period>` in an origin playlist (written there by the packager through keyinfo). */
const KEY_PATH_PATTERN = /\/keys\/([a-z0-9][a-z0-9_-]*)\/(\d{1,15}(?:-\d{1,6})?)$/;

interface RewriteContext {
  channelId: string;
  origin: string;
  playlistUrl: URL;
  /** The channel whose stream path holds a URL path (nested origins: another channel's files). */
  ownerOfPath: (path: string) => string | undefined;
  isChannel: (id: string) => boolean;
}

/**
 * Where the viewer's player should fetch one child URI of the origin playlist. Only URIs below
 * the channel's own origin are rewritten or signed; anything else (another host, a path above
 * the origin, another scheme) is left exactly as the origin wrote it, never signed and never
 * given a ticket — the origin playlist must not turn the CAS into a signing oracle. What differs
 * per viewer (tickets, edge signatures) is a slot, filled at every request.
 */
function rewriteUri(rc: RewriteContext, uri: string, kind: HlsUriKind, slot: (s: PlaylistSlot) => string): string {
  let resolved: URL;
  try {
    resolved = new URL(uri, rc.playlistUrl);
  } catch {
    return uri;
  }
  if (kind === 'key') {
    const match = KEY_PATH_PATTERN.exec(resolved.pathname);
    // Keys of this channel get the playlist's key ticket, keys of another channel of this CAS (a
    // shared key) a ticket for that channel — /keys decides the viewer's entitlement to it again —
    // and keys of other servers are left alone.
    if (match && match[1] === rc.channelId) return `/keys/${rc.channelId}/${match[2]}?ticket=${slot({ kind: 'media-ticket' })}`;
    if (match && rc.isChannel(match[1])) return `/keys/${match[1]}/${match[2]}?ticket=${slot({ kind: 'key-ticket', channelId: match[1] })}`;
    return uri;
  }
  const inside = insideOrigin(rc, resolved);
  if (inside === null) return uri;
  const channelPath = `/hls/${rc.channelId}/`;
  if (kind === 'playlist') return `${channelPath}${inside}?ticket=${slot({ kind: 'playlist-ticket' })}`;
  if (originKind(rc.origin) === 'folder') return `${channelPath}${inside}?ticket=${slot({ kind: 'media-ticket' })}`;
  // Below this origin but inside another channel's stream folder (nested origins): not ours to sign.
  const owner = rc.ownerOfPath(resolved.pathname);
  if (owner !== undefined && owner !== rc.channelId) return uri;
  return slot({ kind: 'edge', url: resolved });
}

/** The path of a URL relative to the channel origin, or null when it points anywhere else. */
function insideOrigin(rc: RewriteContext, url: URL): string | null {
  if (originKind(rc.origin) === 'folder') return url.protocol === 'file:' ? url.pathname.replace(/^\/+/, '') : null;
  const base = httpOriginBase(rc.origin);
  return isBelowOrigin(base, url) ? url.pathname.slice(base.pathname.length) : null;
}

interface HlsRouteDeps {
  access: AccessDecider;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
  tickets: KeyTickets;
  playlists: OriginPlaylists;
}

/**
 * `GET /hls/<channel>/<path>` (client listener). For `*.m3u8`: reads the channel's origin
 * playlist (HTTP or folder) and rewrites every child URI for this viewer — variants with a
 * playlist ticket (each reload re-checks entitlement and renews every ticket), keys with a
 * short-lived key ticket (also set as a cookie), segments signed for the edge with the
 * channel's scheme (HTTP origin) or served here with a ticket (folder origin). For media paths
 * of a folder origin: the segment itself.
 */
export function registerHlsRoutes(
  api: ApiRouter,
  ctx: CasContext,
  { access, directory, urlSigner, tickets, playlists }: HlsRouteDeps,
): void {
  const ownerOfPath = (path: string): string | undefined => {
    const verdict = canonicalPath(path);
    return verdict.ok ? directory.channelForPath(verdict.path)?.id : undefined;
  };
  const isChannel = (id: string): boolean => directory.channel(id) !== undefined;
  api.route(
    {
      method: 'get',
      path: '/hls/:channel/*path',
      summary: 'A channel playlist rewritten for this viewer (every URI carries a ticket or an edge signature), or a segment of a folder origin',
      tag: 'HLS',
      access: 'public',
      params: hlsPathParamsSchema,
      responseContentType: 'application/vnd.apple.mpegurl',
    },
    async (koa: Context, { params }) => {
      koa.set('Cache-Control', 'no-store');
      allowAnyOrigin(koa);
      const isPlaylist = PLAYLIST_PATTERN.test(params.path);
      // Check the channel first so an unknown channel is a 404 for everyone, then entitlement.
      const origin = playlists.originOf(params.channel);
      const { accountId } = await assertEntitled(koa, access, tickets, params.channel, isPlaylist ? 'hls-playlist' : 'hls-segment', isPlaylist ? ['p', 's'] : ['k', 's']);
      if (!isPlaylist) {
        await sendOriginSegment(koa, origin, params.path);
        return undefined;
      }
      const template = await playlists.template(params.channel, params.path, (uri, kind, playlistUrl, slot) =>
        rewriteUri({ channelId: params.channel, origin, playlistUrl, ownerOfPath, isChannel }, uri, kind, slot),
      );
      const settings = ctx.settings.get();
      const ip = callerAddress(koa);
      const media = tickets.issue('k', params.channel, accountId, ip, settings.hlsKeyTicketSeconds);
      const playlist = tickets.issue('p', params.channel, accountId, ip, settings.hlsPlaylistTicketHours * 3600);
      const channel = directory.channel(params.channel);
      const otherKeys = new Map<string, string>();
      const keyTicketFor = (channelId: string): string => {
        let ticket = otherKeys.get(channelId);
        if (ticket === undefined) {
          ticket = tickets.issue('k', channelId, accountId, ip, settings.hlsKeyTicketSeconds).ticket;
          otherKeys.set(channelId, ticket);
        }
        return ticket;
      };
      const signSegment = channel ? segmentUrlSigner(urlSigner, channel, { ip, accountId }) : (url: URL) => url.href;
      const fill = (slot: PlaylistSlot): string => {
        if (slot.kind === 'playlist-ticket') return playlist.ticket;
        if (slot.kind === 'media-ticket') return media.ticket;
        if (slot.kind === 'key-ticket') return keyTicketFor(slot.channelId);
        return signSegment(slot.url);
      };
      koa.cookies.set(TICKET_COOKIE, media.ticket, {
        path: `/keys/${params.channel}/`,
        httpOnly: true,
        sameSite: 'lax',
        maxAge: settings.hlsKeyTicketSeconds * 1000,
        overwrite: true,
      });
      koa.type = 'application/vnd.apple.mpegurl';
      koa.body = template.parts.map((part) => (typeof part === 'string' ? part : fill(part))).join('');
      return undefined;
    },
  );
  registerPreflight(api, '/hls/:channel/*path');
}
