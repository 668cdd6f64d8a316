import type { Middleware } from 'koa';
import type { CasContext } from '../kernel/context';
import type { AccessService } from '../access/access-service';
import { resolveCallerAddress } from '../access/caller-address';
import { limitViewerRefusals } from '../access/refusal-limit';
import { allowAnyOrigin } from '../http/cors';

/** Paths whose answers web players (and the dashboard's preview player, on the admin origin) read cross-origin. */
const PLAYER_PATH = /^\/(hls|dash|clearkey|keys|logos)\//;

/**
 * What every request on the client listener passes first, as one middleware (one step of the
 * chain instead of three, on the path of every viewer request): the caller's address, `nosniff`,
 * CORS for what players read cross-origin (the credential is in the URL, never a cookie, so any
 * origin may read what that URL already grants), and the refusal limit.
 */
export function clientEdge(ctx: CasContext, access: AccessService): Middleware {
  return (koa, next) => {
    const settings = ctx.settings.get();
    const ip = resolveCallerAddress(koa, settings);
    koa.set('X-Content-Type-Options', 'nosniff');
    if (PLAYER_PATH.test(koa.path) || koa.path === '/playlist.m3u8') allowAnyOrigin(koa);
    return limitViewerRefusals(koa, next, ip, settings, access);
  };
}
