import type { CasContext } from '../kernel/context';
import type { ApiRouter } from '../http/api-router';
import { isoFromMs } from '../kernel/clock';
import { publicUrl } from '../kernel/public-base-url';
import { mayPackageChannel } from '../http/principal';
import { ForbiddenError } from '../../src-shared/errors';
import { packagerChannelParamsSchema, packagerKeyInfoSchema, type PackagerPeriodKey } from '../../src-shared/schemas/keys';
import type { ControlWord, ControlWords } from './control-words';

/** The key URI players fetch, at the public base URL (never the address the packager happened to call). */
function keyUriOf(ctx: CasContext, channelId: string, keyId: string): string {
  return publicUrl(ctx, `/keys/${encodeURIComponent(channelId)}/${keyId}`);
}

function toPeriodKey(ctx: CasContext, word: ControlWord): PackagerPeriodKey {
  return {
    period: word.period,
    generation: word.generation,
    keyId: word.keyId,
    keyUri: keyUriOf(ctx, word.channelId, word.keyId),
    key: word.key.toString('hex'),
    iv: word.iv.toString('hex'),
    startsAt: isoFromMs(word.effectiveFrom),
    endsAt: isoFromMs(word.endsAt),
  };
}

/** Packager API (client listener, API key with scope `packager`, limited to the key's channels when it names any). */
export function registerPackagerRoutes(api: ApiRouter, ctx: CasContext, controlWords: ControlWords): void {
  api.route(
    {
      method: 'get',
      path: '/api/v1/packager/:channel/keyinfo',
      summary: 'Current and next crypto period of a channel: key URI, key (hex), IV, period start and end',
      tag: 'Packager',
      access: 'packager',
      params: packagerChannelParamsSchema,
      response: packagerKeyInfoSchema,
    },
    (koa, { params, principal }) => {
      if (!mayPackageChannel(principal, params.channel)) {
        throw new ForbiddenError('api_key_channel_not_allowed', { channel: params.channel }, `This API key is not for channel "${params.channel}"`, 'channel_not_allowed');
      }
      koa.set('Cache-Control', 'no-store');
      const { current, next } = controlWords.currentControlWords(params.channel);
      return {
        channel: params.channel,
        cryptoPeriodSeconds: current.periodSeconds,
        serverTime: isoFromMs(ctx.clock.now()),
        current: toPeriodKey(ctx, current),
        next: toPeriodKey(ctx, next),
      };
    },
  );
}
