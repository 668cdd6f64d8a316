import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { ViewerDirectory } from '../access/viewer-directory';
import { credentialFromQuery } from '../access/viewer-credentials';
import { canonicalPath, pathOfTarget } from '../../src-shared/net/canonical-path';
import { assertStreamingServer, headerAddress } from './caller';
import { answerSafely, decideForServer, REASON_HEADER, refusal, type BackendDeps } from './backend-common';

/**
 * The CAS channel of an Astra request: Astra's stream id (`X-Channel-ID`) when it names a CAS
 * channel, else the channel of the request path (`X-Real-Path`, the path the viewer sent). The path
 * must be canonical, and when both name a channel they must agree — so neither a path trick nor a
 * stream id that contradicts the path can let a viewer in.
 */
function astraChannelOf(directory: ViewerDirectory, astraChannel: string, realPath: string): string | { refused: 'non_canonical_path' | 'channel_mismatch' } {
  if (!realPath) return astraChannel;
  const named = directory.channel(astraChannel);
  const path = canonicalPath(realPath);
  if (!path.ok) return { refused: 'non_canonical_path' };
  const byPath = directory.channelForPath(path.path);
  if (named && byPath && named.id !== byPath.id) return { refused: 'channel_mismatch' };
  return named?.id ?? byPath?.id ?? astraChannel;
}

/**
 * Astra's HTTP backend ("HTTP Request" authorization): Astra sends a GET with the viewer's
 * original query string appended and `X-Session-ID`, `X-Channel-ID`, `X-Real-IP`, `X-Real-Path`,
 * `X-Real-UA`, `X-Real-Host`. 200 allows (with `X-Session-Name: <username>`), 403 denies (with
 * `X-Location` when a promo URL is set). Astra lets viewers in when the backend does not answer,
 * so this always answers, and fast.
 */
export async function answerAstra(koa: Context, ctx: CasContext, { access, directory }: BackendDeps): Promise<void> {
  const settings = ctx.settings.get();
  assertStreamingServer(koa, settings);
  await answerSafely(ctx, koa, 'astra', async () => {
    const ip = headerAddress(koa.get('x-real-ip'));
    const astraChannel = koa.get('x-channel-id').trim();
    const realPath = pathOfTarget(koa.get('x-real-path'));
    if (!ip || (!astraChannel && !realPath)) return refusal('bad_request');
    const request = {
      channelId: astraChannel,
      ip,
      userAgent: koa.get('x-real-ua') || undefined,
      sessionKey: koa.get('x-session-id').trim() || undefined,
      source: 'astra',
    };
    const channel = astraChannelOf(directory, astraChannel, realPath);
    const decision =
      typeof channel === 'string'
        ? await decideForServer(access, credentialFromQuery(new URLSearchParams(koa.querystring)), { ...request, channelId: channel })
        : access.refuse(request, channel.refused);
    if (decision.allow) return { status: 200, headers: { 'X-Session-Name': decision.account?.username ?? decision.rule, [REASON_HEADER]: decision.rule }, body: 'OK' };
    const headers: Record<string, string> = {};
    if (decision.account) headers['X-Session-Name'] = decision.account.username;
    const promo = ctx.settings.get().denyRedirectUrl;
    if (promo) headers['X-Location'] = promo;
    return refusal(decision.reason, headers);
  });
}

/** `GET /auth/astra`: Astra's "HTTP Request" backend (see `answerAstra`). */
export function registerAstraBackend(api: ApiRouter, ctx: CasContext, deps: BackendDeps): void {
  api.route(
    {
      method: 'get',
      path: '/auth/astra',
      summary: "Astra HTTP auth backend: the viewer's query (token/auth) plus X-Real-IP, X-Channel-ID, X-Session-ID; 200 allow, 403 deny",
      tag: 'Streaming auth',
      access: 'public',
      responseContentType: 'text/plain',
    },
    (koa) => answerAstra(koa, ctx, deps),
  );
}
