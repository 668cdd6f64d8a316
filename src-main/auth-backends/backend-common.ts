import type { Context } from 'koa';
import type { CasContext } from '../kernel/context';
import type { AccessService } from '../access/access-service';
import type { AccessDecision, ViewerCredential, ViewerRequest } from '../access/access-types';
import type { ViewerDirectory } from '../access/viewer-directory';

/** Header carrying the refusal reason (or allow rule) on every backend answer, for server logs. */
export const REASON_HEADER = 'X-CAS-Reason';

/**
 * A backend that has not decided within this long refuses (`X-CAS-Reason: timeout`): Astra lets
 * viewers in when its backend is slow or gone, so an answer must come first, even under a flood of
 * password checks. Well below any streaming server's own backend timeout.
 */
export const BACKEND_DEADLINE_MS = 5000;

/** What the backends use: the access decision, and the channels to find one by name or path. */
export interface BackendDeps {
  access: AccessService;
  directory: ViewerDirectory;
}

/** What a backend answers a streaming server (always text/plain). */
interface BackendAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A refusal: 403 (or `status`), the reason in `X-CAS-Reason`, plus any backend-specific headers. */
export function refusal(reason: string, headers: Record<string, string> = {}, status = 403): BackendAnswer {
  return { status, headers: { ...headers, [REASON_HEADER]: reason }, body: `denied: ${reason}` };
}

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
 * Runs a backend decision so that the route always answers, and in time: an unexpected error is
 * logged and answered as a refusal, and so is a decision slower than `BACKEND_DEADLINE_MS`
 * (streaming servers treat any non-200 as "deny"; a hang would let Astra's viewers in).
 */
export async function answerSafely(ctx: CasContext, koa: Context, backend: string, decide: () => Promise<BackendAnswer>): Promise<void> {
  const decided = decide().catch((error: unknown) => {
    ctx.logger.error({ err: error, backend }, 'auth backend failed; refusing');
    return refusal('error');
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<BackendAnswer>((resolve) => {
    timer = setTimeout(() => {
      ctx.logger.warn({ backend, ms: BACKEND_DEADLINE_MS }, 'auth backend decision too slow; refusing');
      resolve(refusal('timeout'));
    }, BACKEND_DEADLINE_MS);
  });
  const answer = await Promise.race([decided, deadline]);
  clearTimeout(timer);
  koa.status = answer.status;
  koa.type = 'text/plain';
  for (const [name, value] of Object.entries(answer.headers)) koa.set(name, value);
  koa.body = answer.body;
}
