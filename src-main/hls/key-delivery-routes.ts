import type { Context } from 'koa';
import type { ApiRouter } from '../http/api-router';
import type { AccessDecider } from '../access/access-types';
import type { KeyTickets, TicketScope } from '../access/viewer-tickets';
import { ForbiddenError, NotFoundError, RateLimitError } from '../../src-shared/errors';
import { keyPathParamsSchema } from '../../src-shared/schemas/keys';
import type { ControlWords } from '../keys/control-words';
import { presentedCredential } from './presented-credential';
import { callerAddress } from '../access/caller-address';
import { allowAnyOrigin, registerPreflight } from '../http/cors';

/**
 * Decides whether the viewer behind a content request may watch the channel, with the same
 * rules as every other door (one AccessDecider); throws 403 with the refusal reason otherwise.
 */
export async function assertEntitled(
  koa: Context,
  access: AccessDecider,
  tickets: KeyTickets,
  channelId: string,
  source: string,
  scopes: readonly TicketScope[],
): Promise<{ accountId: number | null }> {
  const presented = presentedCredential(koa, tickets, channelId, scopes);
  if (presented.kind === 'bad-ticket') throw new ForbiddenError('ticket_invalid', {}, 'The ticket is invalid or has expired', 'bad_credential');
  const decision = await access.decide({
    credential: presented.credential,
    channelId,
    ip: callerAddress(koa),
    userAgent: koa.get('user-agent') || undefined,
    source,
    checkOnly: true,
  });
  if (!decision.allow && decision.reason === 'rate_limited') throw new RateLimitError('too_many_wrong_credentials', {}, 'Too many wrong credentials; try again later');
  if (!decision.allow) throw new ForbiddenError('access_refused', { reason: decision.reason }, 'Not entitled to this channel', decision.reason);
  return { accountId: decision.account?.id ?? null };
}

/**
 * `GET /keys/<channel>/<period>` (client listener): the 16 raw bytes of a control word, for a
 * viewer entitled to the channel (bearer/Basic header, `?token=`, `?auth=`, `?ticket=` or the
 * ticket cookie). 403 when not entitled, 404 outside the retention window or beyond the next period.
 */
export function registerKeyDeliveryRoutes(api: ApiRouter, controlWords: ControlWords, access: AccessDecider, tickets: KeyTickets): void {
  api.route(
    {
      method: 'get',
      path: '/keys/:channel/:period',
      summary: 'The AES-128 key of a crypto period (16 raw bytes) for an entitled viewer',
      tag: 'Key delivery',
      access: 'public',
      params: keyPathParamsSchema,
      responseContentType: 'application/octet-stream',
    },
    async (koa, { params }) => {
      koa.set('Cache-Control', 'no-store');
      allowAnyOrigin(koa);
      await assertEntitled(koa, access, tickets, params.channel, 'hls-key', ['k', 's']);
      const word = controlWords.controlWordByKeyId(params.channel, params.period);
      if (!word) throw new NotFoundError('key_not_found', {}, 'Key not found');
      koa.type = 'application/octet-stream';
      return word.key;
    },
  );
  registerPreflight(api, '/keys/:channel/:period');
}
