import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import type { AccessService } from '../access/access-service';
import { serverTimeSchema } from '../../src-shared/schemas/access';
import { isoFromMs } from '../kernel/clock';
import { registerAstraBackend } from './astra-backend';
import { registerFlussonicBackend } from './flussonic-backend';
import { registerNginxBackend } from './nginx-backend';

/** Client listener: the three streaming-server auth backends and `GET /time`. */
export function registerStreamingAuthRoutes(api: ApiRouter, ctx: CasContext, access: AccessService): void {
  registerAstraBackend(api, ctx, access);
  registerNginxBackend(api, ctx, access);
  registerFlussonicBackend(api, ctx, access);
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
