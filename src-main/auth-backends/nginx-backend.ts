import type { CasContext } from '../core/context';
import type { ApiRouter } from '../server/api-router';
import type { AccessService } from '../access/access-service';
import { credentialFromQuery } from '../access/viewer-credentials';
import { ValidationError } from '../../src-shared/errors';
import { assertStreamingServer, headerAddress } from './caller';
import { answerSafely, decideForServer, REASON_HEADER, refusalBody } from './backend-common';

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * nginx `auth_request`: nginx sends a subrequest with `X-Original-URI` (`$request_uri`) and
 * `X-Real-IP` (`$remote_addr`), optionally `X-Channel-ID`; the channel is otherwise found from
 * the URI (a channel's stream path or its folder). 2xx allows, 401 (no or wrong credential) and
 * 403 (everything else) deny; nginx turns any other status into a 500.
 */
export function registerNginxBackend(api: ApiRouter, ctx: CasContext, access: AccessService): void {
  api.route(
    {
      method: 'get',
      path: '/auth/nginx',
      summary: 'nginx auth_request backend: X-Original-URI and X-Real-IP; 200 allow, 401/403 deny',
      tag: 'Streaming auth',
      access: 'public',
      responseContentType: 'text/plain',
    },
    async (koa) => {
      const settings = ctx.settings.get();
      assertStreamingServer(koa, settings);
      const original = koa.get('x-original-uri');
      if (!original.startsWith('/')) throw new ValidationError('X-Original-URI: the original request URI is required', 'X-Original-URI');
      const ip = headerAddress(koa.get('x-real-ip'));
      if (!ip) throw new ValidationError('X-Real-IP: the viewer address is required', 'X-Real-IP');
      await answerSafely(ctx, koa, 'nginx', async () => {
        const queryAt = original.indexOf('?');
        const path = decodedPath(queryAt === -1 ? original : original.slice(0, queryAt));
        const query = new URLSearchParams(queryAt === -1 ? '' : original.slice(queryAt + 1));
        const channelId = koa.get('x-channel-id').trim() || access.directory.channelForPath(path)?.id || '';
        const decision = await decideForServer(access, credentialFromQuery(query), {
          channelId,
          ip,
          userAgent: koa.get('user-agent') || undefined,
          source: 'nginx',
        });
        koa.type = 'text/plain';
        if (decision.allow) {
          koa.status = 200;
          koa.set(REASON_HEADER, decision.rule);
          if (decision.account) koa.set('X-CAS-Account', decision.account.username);
          koa.body = 'OK';
          return;
        }
        koa.status = decision.reason === 'no_credential' || decision.reason === 'bad_credential' ? 401 : 403;
        koa.set(REASON_HEADER, decision.reason);
        koa.body = refusalBody(decision.reason);
      });
    },
  );
}
