import { parseSecuretoken } from '../../src-shared/protocol/securetoken';
import type { ViewerCredential } from './access-types';

const MAX_TOKEN = 256;
const MAX_USERNAME = 64;
const MAX_PASSWORD = 256;

/** `login:password` (Astra's `?auth=`, the text of a Basic header) within the limits, else null. */
function loginPassword(text: string): ViewerCredential | null {
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (username.length > MAX_USERNAME || password.length === 0 || password.length > MAX_PASSWORD) return null;
  return { kind: 'password', username, password };
}

/** A token or ticket no longer than the limit, else null: oversized values are no credential. */
export function boundedToken(text: string | null | undefined): string | null {
  return text && text.length <= MAX_TOKEN ? text : null;
}

/**
 * The credential in a viewer's query string, as Astra's manual defines it: `?auth=login:password`
 * or `?token=` — an account token, or a securetoken the CAS signed (`hash-salt-end-start`, with
 * Flussonic's `user_id` when present) — or a stream `?ticket=` the CAS wrote into a playlist.
 * Oversized values are no credential at all.
 */
export function credentialFromQuery(params: URLSearchParams): ViewerCredential | null {
  const auth = params.get('auth');
  const login = auth ? loginPassword(auth) : null;
  if (login) return login;
  const token = boundedToken(params.get('token'));
  if (token) {
    if (parseSecuretoken(token)) {
      const userId = params.get('user_id');
      return userId ? { kind: 'signed', token, userId: userId.slice(0, 32) } : { kind: 'signed', token };
    }
    return { kind: 'token', token };
  }
  const ticket = boundedToken(params.get('ticket'));
  return ticket ? { kind: 'ticket', ticket } : null;
}

/** `Authorization: Bearer <account token>` or `Basic <login:password>`, with the same limits; else null. */
export function credentialFromAuthorization(header: string): ViewerCredential | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) {
    const token = boundedToken(bearer[1]);
    return token ? { kind: 'token', token } : null;
  }
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(header);
  return basic ? loginPassword(Buffer.from(basic[1], 'base64').toString('utf8')) : null;
}
