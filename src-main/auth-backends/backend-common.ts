import type { Context } from 'koa';
import type { CasContext } from '../core/context';
import type { AccessService } from '../access/access-service';
import type { AccessDecision, ViewerCredential, ViewerRequest } from '../access/access-types';

/** Header carrying the refusal reason (or allow rule) on every backend answer, for server logs. */
export const REASON_HEADER = 'X-CAS-Reason';

/**
 * Decides for a streaming server: with the credential when there is one, else as the viewer's
 * live session on the channel (segment requests), else as "no credential". Refusals without an
 * account count against the viewer address the server reports (never the server's own), and an
 * address over its limit is refused `rate_limited` before any check.
 */
export async function decideForServer(
  access: AccessService,
  credential: ViewerCredential | null,
  request: Omit<ViewerRequest, 'credential'>,
): Promise<AccessDecision> {
  if (credential === null) {
    const continued = await access.continueSession(request);
    if (continued) return continued;
  }
  const throttled = access.throttled(request);
  if (throttled) return throttled;
  const decision = await access.decide({ ...request, credential });
  if (!decision.allow && decision.account === null) access.countRefusal(request.ip);
  return decision;
}

/**
 * Runs a backend decision so that the route always answers: an unexpected error is logged and
 * answered as a refusal (streaming servers treat any non-200 as "deny"; a hang would let viewers in).
 */
export async function answerSafely(ctx: CasContext, koa: Context, backend: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    ctx.logger.error({ err: error, backend }, 'auth backend failed; refusing');
    koa.status = 403;
    koa.set(REASON_HEADER, 'error');
    koa.type = 'text/plain';
    koa.body = 'error';
  }
}

export function refusalBody(reason: string): string {
  return `denied: ${reason}`;
}
