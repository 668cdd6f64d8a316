import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import type { Principal } from './principal';

export const LOCAL_CONTROL_HEADER = 'x-cas-local-control';

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** The only routes the token opens: what `cas-studio backup` and `cas-studio config` call. */
const LOCAL_CONTROL_ROUTES = /^\/api\/admin\/(backups(\/[^/]+)?|config\/(export|import))$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Lets `cas-studio` commands on this machine drive the running CAS (backup while it serves):
 * a random token written only into the data folder's owner-only lock file, so whoever may use
 * it could already read cas.db and master.key. Accepted from loopback callers only, and on the
 * backup and configuration routes only: anything else still needs a signed-in operator.
 */
export class LocalControl {
  readonly token = randomBytes(32).toString('base64url');
  readonly #digest = digest(this.token);

  authenticate(koa: Context): Principal | null {
    const presented = koa.get(LOCAL_CONTROL_HEADER);
    if (!presented || !LOOPBACK.test(koa.socket.remoteAddress ?? '') || !LOCAL_CONTROL_ROUTES.test(koa.path)) return null;
    if (!timingSafeEqual(digest(presented), this.#digest)) return null;
    return { kind: 'api-key', keyId: 0, name: 'local-cli', scopes: ['admin-write'], channels: null };
  }
}
