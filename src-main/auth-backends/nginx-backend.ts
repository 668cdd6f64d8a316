import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { credentialFromAuthorization, credentialFromQuery } from '../access/viewer-credentials';
import { ValidationError } from '../../src-shared/errors';
import { canonicalPath, pathOfTarget, type CanonicalPath } from '../../src-shared/net/canonical-path';
import { assertStreamingServer, headerAddress } from './caller';
import { answerSafely, decideForServer, REASON_HEADER, refusal, type BackendDeps } from './backend-common';

/**
 * The path nginx serves, when it is the path the viewer sent: `X-Original-URI` (`$request_uri`,
 * raw) must be canonical and, when `X-Original-Path` (nginx's normalised `$uri`) is given, equal
 * to it. A viewer can set `X-Original-Path` where the config does not, but only to be refused.
 */
function servedPath(originalUri: string, normalisedPath: string): CanonicalPath | null {
  const verdict = canonicalPath(pathOfTarget(originalUri));
  if (!verdict.ok) return null;
  return normalisedPath === '' || normalisedPath === verdict.path ? verdict.path : null;
}

/**
 * nginx `auth_request`: nginx sends a subrequest with `X-Original-URI` (`$request_uri`),
 * `X-Original-Path` (`$uri` of the viewer's request) and `X-Real-IP` (`$remote_addr`); the
 * credential is in the query of `X-Original-URI` or, for players that send one, in the viewer's own
 * `Authorization` header (nginx copies it into the subrequest). The channel
 * comes from the canonical path only (a channel's stream path or its folder) — never from a
 * header, since nginx copies the viewer's own headers into the subrequest. 2xx allows, 401 (no or
 * wrong credential) and 403 (everything else) deny; nginx turns any other status into a 500.
 */
export function registerNginxBackend(api: ApiRouter, ctx: CasContext, { access, directory }: BackendDeps): void {
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
      if (!original.startsWith('/')) throw new ValidationError('original_uri_required', {}, 'X-Original-URI: the original request URI is required', 'X-Original-URI');
      const ip = headerAddress(koa.get('x-real-ip'));
      if (!ip) throw new ValidationError('viewer_ip_required', {}, 'X-Real-IP: the viewer address is required', 'X-Real-IP');
      await answerSafely(ctx, koa, 'nginx', async () => {
        const queryAt = original.indexOf('?');
        const query = new URLSearchParams(queryAt === -1 ? '' : original.slice(queryAt + 1));
        const request = { channelId: '', ip, userAgent: koa.get('user-agent') || undefined, source: 'nginx' };
        const path = servedPath(original, koa.get('x-original-path'));
        const decision = path
          ? await decideForServer(access, credentialFromQuery(query) ?? credentialFromAuthorization(koa.get('authorization')), { ...request, channelId: directory.channelForPath(path)?.id ?? '' })
          : access.refuse(request, 'non_canonical_path');
        if (!decision.allow) return refusal(decision.reason, {}, decision.reason === 'no_credential' || decision.reason === 'bad_credential' ? 401 : 403);
        const headers: Record<string, string> = { [REASON_HEADER]: decision.rule };
        if (decision.account) headers['X-CAS-Account'] = decision.account.username;
        return { status: 200, headers, body: 'OK' };
      });
    },
  );
}
