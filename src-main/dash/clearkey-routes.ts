import type { Context } from 'koa';
import type { ApiRouter } from '../http/api-router';
import type { AccessService } from '../access/access-service';
import type { KeyTickets } from '../access/viewer-tickets';
import { callerAddress } from '../access/caller-address';
import { ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitError, ValidationError } from '../../src-shared/errors';
import { clearKeyLicenseRequestSchema, clearKeyLicenseSchema, clearKeyParamsSchema, type ClearKeyLicenseRequest } from '../../src-shared/schemas/dash';
import { allowAnyOrigin, registerPreflight } from '../http/cors';
import { presentedCredential } from '../hls/presented-credential';
import type { CencKeys } from '../keys/cenc-keys';

/** A license request is a few KIDs: anything larger is refused before parsing. */
const MAX_REQUEST_BYTES = 4096;
const SOURCE = 'clearkey-license';

interface ClearKeyDeps {
  access: Pick<AccessService, 'decide' | 'refuse'>;
  tickets: KeyTickets;
  cencKeys: CencKeys;
}

/** The request body: JSON parsed by the app when typed as such, read here when not (Shaka sends no Content-Type). */
async function licenseRequest(koa: Context): Promise<ClearKeyLicenseRequest> {
  let body: unknown = koa.request.body;
  if (koa.request.rawBody === undefined) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of koa.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) throw new PayloadTooLargeError('clearkey_request_too_large', { max: MAX_REQUEST_BYTES }, `A license request is at most ${MAX_REQUEST_BYTES} bytes`, 'body');
      chunks.push(chunk);
    }
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new ValidationError('clearkey_request_invalid', { field: 'body' }, 'body: a JSON ClearKey license request ({"kids": [...], "type": "temporary"})', 'body');
    }
  }
  const parsed = clearKeyLicenseRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : 'body';
  throw new ValidationError('clearkey_request_invalid', { field }, `${field}: ${issue.message}`, field);
}

/**
 * `POST /clearkey/<channel>/license` (client listener): a W3C ClearKey license for an entitled
 * viewer — the same decision as every door, a viewing session opened or refreshed (counted
 * against the connection limit), the refusal in the access log — holding only this channel's
 * keys among the KIDs asked for (others are left out; none at all is a 404).
 */
export function registerClearKeyRoutes(api: ApiRouter, { access, tickets, cencKeys }: ClearKeyDeps): void {
  api.route(
    {
      method: 'post',
      path: '/clearkey/:channel/license',
      summary: 'A W3C ClearKey license (JSON Web Key Set) with the CENC keys of this channel among the KIDs asked for',
      tag: 'DASH',
      access: 'public',
      params: clearKeyParamsSchema,
      response: clearKeyLicenseSchema,
    },
    async (koa, { params }) => {
      koa.set('Cache-Control', 'no-store');
      allowAnyOrigin(koa);
      const request = await licenseRequest(koa);
      const ip = callerAddress(koa);
      const asked = { channelId: params.channel, ip, userAgent: koa.get('user-agent') || undefined, source: SOURCE };
      const presented = presentedCredential(koa, tickets, params.channel, ['k', 's']);
      const decision =
        presented.kind === 'bad-ticket' ? access.refuse(asked, 'bad_credential') : await access.decide({ ...asked, credential: presented.credential });
      if (!decision.allow && decision.reason === 'rate_limited') throw new RateLimitError('too_many_wrong_credentials', {}, 'Too many wrong credentials; try again later');
      if (!decision.allow) throw new ForbiddenError('access_refused', { reason: decision.reason }, 'Not entitled to this channel', decision.reason);
      const keys = request.kids.flatMap((kid) => {
        const key = cencKeys.cencKeyByKid(params.channel, Buffer.from(kid, 'base64url'));
        return key ? [{ kty: 'oct' as const, k: key.key.toString('base64url'), kid }] : [];
      });
      if (keys.length === 0) throw new NotFoundError('clearkey_kids_unknown', { channel: params.channel }, `No key of channel "${params.channel}" has these KIDs`);
      return { keys, type: request.type };
    },
  );
  registerPreflight(api, '/clearkey/:channel/license', { methods: 'POST, OPTIONS', headers: 'Authorization, Content-Type' });
}
