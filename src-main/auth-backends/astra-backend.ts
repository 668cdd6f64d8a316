import type { CasContext } from '../core/context';
import type { ApiRouter } from '../server/api-router';
import type { AccessService } from '../access/access-service';
import { credentialFromQuery } from '../access/viewer-credentials';
import { assertStreamingServer, headerAddress } from './caller';
import { answerSafely, decideForServer, REASON_HEADER, refusalBody } from './backend-common';

/**
 * Astra's HTTP backend ("HTTP Request" authorization): Astra sends a GET with the viewer's
 * original query string appended and `X-Session-ID`, `X-Channel-ID`, `X-Real-IP`, `X-Real-Path`,
 * `X-Real-UA`, `X-Real-Host`. 200 allows (with `X-Session-Name: <username>`), 403 denies (with
 * `X-Location` when a promo URL is set). Astra lets viewers in when the backend does not answer,
 * so this always answers, and fast.
 */
export function registerAstraBackend(api: ApiRouter, ctx: CasContext, access: AccessService): void {
  api.route(
    {
      method: 'get',
      path: '/auth/astra',
      summary: "Astra HTTP auth backend: the viewer's query (token/auth) plus X-Real-IP, X-Channel-ID, X-Session-ID; 200 allow, 403 deny",
      tag: 'Streaming auth',
      access: 'public',
      responseContentType: 'text/plain',
    },
    async (koa) => {
      const settings = ctx.settings.get();
      assertStreamingServer(koa, settings);
      await answerSafely(ctx, koa, 'astra', async () => {
        const ip = headerAddress(koa.get('x-real-ip'));
        // Astra's channel id names the CAS channel; when it does not, the request path may (`/play/a001/index.m3u8`).
        const astraChannel = koa.get('x-channel-id').trim();
        const realPath = koa.get('x-real-path').split('?')[0];
        const channelId = access.directory.channel(astraChannel) || !realPath ? astraChannel : (access.directory.channelForPath(realPath)?.id ?? astraChannel);
        const sessionKey = koa.get('x-session-id').trim() || undefined;
        const userAgent = koa.get('x-real-ua') || undefined;
        koa.type = 'text/plain';
        if (!ip || !channelId) {
          koa.status = 403;
          koa.set(REASON_HEADER, 'bad_request');
          koa.body = 'X-Real-IP and X-Channel-ID (or X-Real-Path) are required';
          return;
        }
        const decision = await decideForServer(access, credentialFromQuery(new URLSearchParams(koa.querystring)), {
          channelId,
          ip,
          userAgent,
          sessionKey,
          source: 'astra',
        });
        if (decision.allow) {
          koa.status = 200;
          koa.set('X-Session-Name', decision.account?.username ?? decision.rule);
          koa.set(REASON_HEADER, decision.rule);
          koa.body = 'OK';
          return;
        }
        koa.status = 403;
        koa.set(REASON_HEADER, decision.reason);
        if (decision.account) koa.set('X-Session-Name', decision.account.username);
        const promo = ctx.settings.get().denyRedirectUrl;
        if (promo) koa.set('X-Location', promo);
        koa.body = refusalBody(decision.reason);
      });
    },
  );
}
