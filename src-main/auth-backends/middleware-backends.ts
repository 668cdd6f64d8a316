import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { BackendDeps } from './backend-common';
import { answerAstra } from './astra-backend';
import { answerFlussonic } from './flussonic-backend';

/**
 * The backend paths of the two middlewares Cesbo's servers (Astra, Alta) have built-in modes
 * for, so a server set to "Ministra/Stalker" or "Microimpuls Smarty" with the CAS as portal
 * address asks the CAS. Both are answered by the same decision as `/auth/astra` and
 * `/auth/flussonic`.
 */
export const MIDDLEWARE_BACKEND_PATHS = {
  /** Ministra/Stalker's "Temporary URL – Flussonic support" check. */
  stalker: '/stalker_portal/server/api/chk_flussonic_tmp_link.php',
  /** Microimpuls Smarty's stream token check. */
  smarty: '/tvmiddleware/api/streamservice/token/check/',
} as const;

/**
 * Who is asking decides how the request reads: Astra and Alta send the viewer's query with
 * `X-Real-IP` and `X-Channel-ID` or `X-Real-Path` (as to `/auth/astra`); Flussonic, for which
 * both middlewares' endpoints were made, sends `name` and `ip` fields (as to `/auth/flussonic`).
 */
function fromCesboServer(koa: Context): boolean {
  return koa.get('x-real-ip') !== '' && (koa.get('x-channel-id') !== '' || koa.get('x-real-path') !== '');
}

/** Client listener: the Stalker and Smarty compatible backend paths (GET, and POST for Flussonic's JSON). */
export function registerMiddlewareBackends(api: ApiRouter, ctx: CasContext, deps: BackendDeps): void {
  const handler = (koa: Context) => (fromCesboServer(koa) ? answerAstra(koa, ctx, deps) : answerFlussonic(koa, ctx, deps));
  for (const [middleware, path] of Object.entries(MIDDLEWARE_BACKEND_PATHS)) {
    const spec = { path, tag: 'Streaming auth', access: 'public' as const, responseContentType: 'text/plain' };
    const summary = `${middleware === 'stalker' ? 'Ministra/Stalker' : 'Microimpuls Smarty'} compatible auth backend: Astra/Alta headers or Flussonic fields; 200 allow, 403 deny`;
    api.route({ ...spec, method: 'get', summary }, handler).route({ ...spec, method: 'post', summary: `${summary} (Flussonic fields as JSON)` }, handler);
  }
}
