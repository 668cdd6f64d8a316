import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { BackendDeps } from './backend-common';
import { serverTimeSchema } from '../../src-shared/schemas/access';
import { isoFromMs } from '../kernel/clock';
import { registerAstraBackend } from './astra-backend';
import { registerFlussonicBackend } from './flussonic-backend';
import { registerMiddlewareBackends } from './middleware-backends';
import { registerNginxBackend } from './nginx-backend';

/** Client listener: the streaming-server auth backends (with the middleware-compatible paths) and `GET /time`. */
export function registerStreamingAuthRoutes(api: ApiRouter, ctx: CasContext, deps: BackendDeps): void {
  registerAstraBackend(api, ctx, deps);
  registerNginxBackend(api, ctx, deps);
  registerFlussonicBackend(api, ctx, deps);
  registerMiddlewareBackends(api, ctx, deps);
  api.route(
    {
      method: 'get',
      path: '/time',
      summary: 'Server time, for clients and servers whose clocks are off',
      tag: 'System',
      access: 'public',
      response: serverTimeSchema,
    },
    (koa) => {
      const ms = ctx.clock.now();
      koa.set('Cache-Control', 'no-store');
      return { time: isoFromMs(ms), unix: Math.floor(ms / 1000), ms };
    },
  );
}
