import type { CasContext } from '../kernel/context';
import { publicBaseUrl, publicUrl } from '../kernel/public-base-url';
import type { ApiRouter } from '../http/api-router';
import type { AccessService } from '../access/access-service';
import type { UrlSigner } from '../access/url-signing/url-signer';
import { entitled, type ViewerAccount, type ViewerDirectory } from '../access/viewer-directory';
import { credentialFromQuery } from '../access/viewer-credentials';
import { callerAddress } from '../access/caller-address';
import { createRateLimit } from '../http/rate-limit';
import { type ApiError, ForbiddenError, RateLimitError, UnauthorizedError } from '../../src-shared/errors';
import { formatM3u } from '../../src-shared/protocol/m3u-playlist';
import { PlaylistEntryHeads } from './entry-heads';

/** Astra's default HTTP port, used for the stream base URL when none is configured anywhere. */
const ASTRA_DEFAULT_PORT = 8000;

/** Astra on the CAS's own public host: the stream base of last resort. */
function astraOnThisHost(publicBase: string): string {
  const url = new URL(publicBase);
  url.port = String(ASTRA_DEFAULT_PORT);
  return url.origin;
}

function refusal(reason: string): ApiError {
  if (reason === 'rate_limited') return new RateLimitError('too_many_wrong_credentials', {}, 'Too many wrong credentials; try again later');
  if (reason === 'no_credential') return new UnauthorizedError('credential_missing', {}, 'Add ?token= or ?auth=login:password', reason);
  if (reason === 'bad_credential') return new UnauthorizedError('credential_wrong', {}, 'Wrong token or login:password', reason);
  return new ForbiddenError('access_refused', { reason }, `Access refused: ${reason}`, reason);
}

/** What the playlist route uses: the viewer's sign-in, the channels, and the URL signer. */
interface PlaylistDeps {
  ctx: CasContext;
  access: AccessService;
  directory: ViewerDirectory;
  urlSigner: UrlSigner;
}

/**
 * The playlist of one account: every channel it may watch in the directory's order (group order,
 * group, position, number), each in its own group (else its package's name), signed per channel.
 * The `#EXTINF` lines come from `heads`; only the signed URLs are made per request.
 */
function playlistFor(
  { ctx, directory, urlSigner }: PlaylistDeps,
  heads: PlaylistEntryHeads,
  account: ViewerAccount,
  viewer: { ip: string },
): string {
  const base = publicBaseUrl(ctx).url;
  const fallbackBaseUrl = astraOnThisHost(base);
  const channels = directory.channels().filter((channel) => entitled(account, channel));
  const streamUrl = urlSigner.streamUrlsFor({ ip: viewer.ip, accountId: account.id }, { fallbackBaseUrl }, channels);
  const entries: Array<{ head: string; url: string }> = [];
  for (const channel of channels) {
    const viaPackage = channel.packages.find((p) => account.packages.has(p)) ?? null;
    const head = heads.headOf(base, channel, viaPackage, () => ({
      tvgId: channel.id,
      tvgName: channel.name,
      tvgLogo: channel.logo ? publicUrl(ctx, channel.logo) : null,
      tvgChno: channel.number,
      groupTitle: channel.group ?? (viaPackage ? directory.packageName(viaPackage) : null),
      title: channel.name,
    }));
    entries.push({ head, url: streamUrl(channel) });
  }
  return formatM3u(entries);
}

/**
 * `GET /playlist.m3u8?token=…` or `?auth=login:password` on the client listener: an M3U8 of the
 * channels the account may watch, with tvg-id, tvg-name, tvg-logo, tvg-chno (number) and group-title.
 */
export function registerPlaylistRoutes(api: ApiRouter, deps: PlaylistDeps): void {
  const heads = new PlaylistEntryHeads(deps.ctx);
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
      const body = playlistFor(deps, heads, result.account, { ip });
      koa.set('Cache-Control', 'no-store');
      koa.type = 'application/vnd.apple.mpegurl';
      koa.body = body;
    },
  );
}
