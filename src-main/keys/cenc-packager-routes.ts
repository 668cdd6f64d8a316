import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { isoFromMs } from '../kernel/clock';
import { mayPackageChannel } from '../http/principal';
import { ForbiddenError } from '../../src-shared/errors';
import { packagerChannelParamsSchema } from '../../src-shared/schemas/keys';
import { packagerCencSchema, type PackagerCencKey } from '../../src-shared/schemas/dash';
import type { CencKey, CencKeys } from './cenc-keys';

function toPackagerKey(key: CencKey): PackagerCencKey {
  return {
    keyId: key.keyId,
    kid: key.kid.toString('hex'),
    key: key.key.toString('hex'),
    startsAt: isoFromMs(key.startsAt),
    endsAt: isoFromMs(key.endsAt),
  };
}

/** `GET /api/v1/packager/<channel>/cenc`: the CENC keys of the current and next period (same credential rules as keyinfo). */
export function registerCencPackagerRoutes(api: ApiRouter, ctx: CasContext, cencKeys: CencKeys): void {
  api.route(
    {
      method: 'get',
      path: '/api/v1/packager/:channel/cenc',
      summary: 'CENC keys of the current and next crypto period of a channel: KID and key (hex), for DASH packagers',
      tag: 'Packager',
      access: 'packager',
      params: packagerChannelParamsSchema,
      response: packagerCencSchema,
    },
    (koa, { params, principal }) => {
      if (!mayPackageChannel(principal, params.channel)) {
        throw new ForbiddenError('api_key_channel_not_allowed', { channel: params.channel }, `This API key is not for channel "${params.channel}"`, 'channel_not_allowed');
      }
      koa.set('Cache-Control', 'no-store');
      const { current, next } = cencKeys.currentCencKeys(params.channel);
      return {
        channel: params.channel,
        cryptoPeriodSeconds: current.periodSeconds,
        serverTime: isoFromMs(ctx.clock.now()),
        current: toPackagerKey(current),
        next: toPackagerKey(next),
      };
    },
  );
}
