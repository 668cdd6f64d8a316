import type { Context, Next } from 'koa';
import type { Settings } from '../../src-shared/schemas/settings';
import { isStreamingServer } from './caller-address';
import { ApiError, RateLimitError } from '../../src-shared/errors';
import type { AccessService } from './access-service';

/** Refusals that leave the caller unauthenticated (an entitled account refused for its state does not count). */
const ANONYMOUS_REASONS = new Set(['no_credential', 'bad_credential', 'ip_denied', 'not_streaming_server', 'session_invalid']);

function isAnonymousRefusal(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 401 || (error.status === 403 && ANONYMOUS_REASONS.has(error.extra.reason ?? ''));
}

/**
 * The refusal limit of the client listener, for a request from `ip` (the caller's address): a
 * caller whose unauthenticated refusals (401, or 403 for a missing or wrong credential) reached
 * `viewerRefusalsPerMinute` this minute is answered 429 before any route runs — no database, no
 * password check, no log line per request. The auth backends asked by a registered streaming
 * server are left to `decideForServer`, which counts against the viewer address the server reports
 * instead.
 */
export async function limitViewerRefusals(koa: Context, next: Next, ip: string, settings: Settings, access: AccessService): Promise<void> {
  if (koa.path.startsWith('/auth/') && isStreamingServer(ip, settings)) {
    await next();
    return;
  }
  if (access.throttled({ ip, channelId: null, source: 'http' })) {
    koa.set('Retry-After', '60');
    throw new RateLimitError('too_many_refusals', {}, 'Too many refused requests from this address; try again in a minute');
  }
  try {
    await next();
  } catch (error) {
    if (isAnonymousRefusal(error)) access.countRefusal(ip);
    throw error;
  }
}
