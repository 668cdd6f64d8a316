import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { ViewerCredential } from '../access/access-types';
import { credentialFromQuery } from '../access/viewer-credentials';
import { parseSecuretoken } from '../../src-shared/protocol/securetoken';
import { canonicalPath } from '../../src-shared/net/canonical-path';
import { assertStreamingServer, headerAddress } from './caller';
import { answerSafely, decideForServer, REASON_HEADER, refusal, type BackendDeps } from './backend-common';

/**
 * The request's fields, the first value of each: the query string read once with `URLSearchParams`
 * (Koa's `ctx.query` parser cost ~8% of this route's CPU), then a POSTed JSON body's.
 */
function fieldsOf(koa: Context): Record<string, string> {
  // No prototype: a field named `constructor` or `__proto__` is a field like any other.
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of new URLSearchParams(koa.querystring)) if (!(key in out)) out[key] = value;
  const body: unknown = koa.method === 'POST' ? koa.request.body : undefined;
  if (!body || typeof body !== 'object') return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else if (Array.isArray(value) && typeof value[0] === 'string') out[key] = value[0];
  }
  return out;
}

function credentialOf(fields: Record<string, string>): ViewerCredential | null {
  const qs = new URLSearchParams(fields.qs ?? '');
  const token = fields.token;
  if (token && token.length <= 256) {
    if (parseSecuretoken(token)) {
      const userId = qs.get('user_id') ?? fields.user_id;
      return userId ? { kind: 'signed', token, userId: userId.slice(0, 32) } : { kind: 'signed', token };
    }
    return { kind: 'token', token };
  }
  return credentialFromQuery(qs);
}

/**
 * Flussonic's auth backend: fields `name, proto, ip, token, session_id, request_type
 * (new_session|update_session), request_number, stream_clients, total_clients, duration, bytes, qs,
 * user_agent, referer, host` as query or JSON. 200 allows, 403 denies; answers carry `X-UserId`,
 * `X-Max-Sessions` and `X-AuthDuration` (Flussonic asks again after that many seconds).
 */
export async function answerFlussonic(koa: Context, ctx: CasContext, { access, directory }: BackendDeps): Promise<void> {
  const settings = ctx.settings.get();
  assertStreamingServer(koa, settings);
  await answerSafely(ctx, koa, 'flussonic', async () => {
    const fields = fieldsOf(koa);
    const authDuration = Math.max(10, Math.min(settings.flussonicAuthDurationSeconds, Math.floor(settings.sessionIdleSeconds / 2)));
    const headers: Record<string, string> = { 'X-AuthDuration': String(authDuration) };
    const ip = headerAddress(fields.ip);
    const name = (fields.name ?? '').trim();
    if (!ip || !name) return refusal('bad_request', headers);
    const bytes = fields.bytes !== undefined && /^\d{1,18}$/.test(fields.bytes) ? Number(fields.bytes) : undefined;
    const request = { channelId: name, ip, userAgent: fields.user_agent || undefined, sessionKey: fields.session_id || undefined, bytes, source: 'flussonic' };
    // The stream name is a CAS channel id or, for nested names (`tv/news`), a path; never read two ways.
    const path = canonicalPath(`/${name}`);
    const channel = path.ok ? (directory.channel(name) ?? directory.channelForPath(path.path)) : undefined;
    const decision = path.ok
      ? await decideForServer(access, credentialOf(fields), { ...request, channelId: channel?.id ?? name })
      : access.refuse(request, 'non_canonical_path');
    if (!decision.allow) return refusal(decision.reason, decision.account ? { ...headers, 'X-UserId': String(decision.account.id) } : headers);
    headers[REASON_HEADER] = decision.rule;
    if (decision.account) {
      headers['X-UserId'] = String(decision.account.id);
      if (decision.account.maxConnections > 0) headers['X-Max-Sessions'] = String(decision.account.maxConnections);
    }
    return { status: 200, headers, body: 'OK' };
  });
}

/** `GET|POST /auth/flussonic`: Flussonic's auth backend (see `answerFlussonic`). */
export function registerFlussonicBackend(api: ApiRouter, ctx: CasContext, deps: BackendDeps): void {
  const handler = (koa: Context) => answerFlussonic(koa, ctx, deps);
  const spec = {
    path: '/auth/flussonic',
    tag: 'Streaming auth',
    access: 'public' as const,
    responseContentType: 'text/plain',
  };
  api
    .route({ ...spec, method: 'get', summary: 'Flussonic auth backend (fields as query): 200 allow, 403 deny, X-UserId/X-Max-Sessions/X-AuthDuration' }, handler)
    .route({ ...spec, method: 'post', summary: 'Flussonic auth backend (fields as JSON body)' }, handler);
}
