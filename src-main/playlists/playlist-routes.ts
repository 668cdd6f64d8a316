import type { Context } from 'koa';
import type { ApiRouter } from '../http/api-router';
import type { AccessService } from '../access/access-service';
import type { UrlSigner } from '../access/url-signing/url-signer';
import { entitled, type ViewerAccount, type ViewerDirectory } from '../access/viewer-directory';
import { credentialFromQuery } from '../access/viewer-credentials';
import { callerAddress } from '../access/caller-address';
import { createRateLimit } from '../http/rate-limit';
import { type ApiError, ForbiddenError, RateLimitError, UnauthorizedError } from '../../src-shared/errors';
import { formatM3u, type M3uEntry } from '../../src-shared/protocol/m3u-playlist';

/** Astra's default HTTP port, used for the stream base URL when none is configured anywhere. */
const ASTRA_DEFAULT_PORT = 8000;

function refusal(reason: string): ApiError {
  if (reason === 'rate_limited') return new RateLimitError('too_many_wrong_credentials', {}, 'Too many wrong credentials; try again later');
  if (reason === 'no_credential') return new UnauthorizedError('credential_missing', {}, 'Add ?token= or ?auth=login:password', reason);
  if (reason === 'bad_credential') return new UnauthorizedError('credential_wrong', {}, 'Wrong token or login:password', reason);
  return new ForbiddenError('access_refused', { reason }, `Access refused: ${reason}`, reason);
}

/** What the playlist route uses: the viewer's sign-in, the channels, and the URL signer. */
interface PlaylistDeps {
  access: AccessService;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
}

/** The playlist of one account: every channel it may watch, in channel-number order, signed per channel. */
function playlistFor({ directory, urlSigner }: PlaylistDeps, account: ViewerAccount, viewer: { ip: string }, koa: Context): string {
  const origin = `${koa.protocol}://${koa.host}`;
  const fallbackBaseUrl = `${koa.protocol}://${koa.hostname.includes(':') ? `[${koa.hostname}]` : koa.hostname}:${ASTRA_DEFAULT_PORT}`;
  const entries: M3uEntry[] = [];
  for (const channel of directory.channels()) {
    if (!entitled(account, channel)) continue;
    const group = channel.packages.find((p) => account.packages.has(p));
    entries.push({
      tvgId: channel.id,
      tvgName: channel.name,
      tvgLogo: channel.logo ? (channel.logo.startsWith('/') ? `${origin}${channel.logo}` : channel.logo) : null,
      groupTitle: group ? directory.packageName(group) : null,
      title: channel.name,
      url: urlSigner.streamUrlFor(channel, { ip: viewer.ip, accountId: account.id }, { fallbackBaseUrl }),
    });
  }
  return formatM3u(entries);
}

/**
 * `GET /playlist.m3u8?token=…` or `?auth=login:password` on the client listener: an M3U8 of the
 * channels the account may watch, with tvg-id, tvg-name, tvg-logo and group-title (package).
 */
export function registerPlaylistRoutes(api: ApiRouter, deps: PlaylistDeps): void {
  api.router.use('/playlist.m3u8', createRateLimit({ namespace: 'playlist', durationMs: 60_000, max: 600, id: callerAddress }));
  api.route(
    {
      method: 'get',
      path: '/playlist.m3u8',
      summary: 'M3U8 playlist of the channels the account may watch (?token= or ?auth=login:password), URLs signed per channel',
      tag: 'Playlists',
      access: 'public',
      responseContentType: 'application/vnd.apple.mpegurl',
    },
    async (koa) => {
      const ip = callerAddress(koa);
      const credential = credentialFromQuery(new URLSearchParams(koa.querystring));
      const result = await deps.access.authenticateViewer(credential, ip, 'playlist');
      if (!result.ok) throw refusal(result.reason);
      const body = playlistFor(deps, result.account, { ip }, koa);
      koa.set('Cache-Control', 'no-store');
      koa.type = 'application/vnd.apple.mpegurl';
      koa.body = body;
    },
  );
}
