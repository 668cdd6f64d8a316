import { parseSecuretoken } from '../../src-shared/protocol/securetoken';
import type { ViewerCredential } from './access-types';

const MAX_TOKEN = 256;
const MAX_USERNAME = 64;
const MAX_PASSWORD = 256;

/**
 * The credential in a viewer's query string, as Astra's manual defines it: `?auth=login:password`
 * or `?token=` — an account token, or a securetoken the CAS signed (`hash-salt-end-start`, with
 * Flussonic's `user_id` when present) — or a stream `?ticket=` the CAS wrote into a playlist.
 * Oversized values are no credential at all.
 */
export function credentialFromQuery(params: URLSearchParams): ViewerCredential | null {
  const auth = params.get('auth');
  if (auth) {
    const colon = auth.indexOf(':');
    if (colon > 0) {
      const username = auth.slice(0, colon);
      const password = auth.slice(colon + 1);
      if (username.length <= MAX_USERNAME && password.length > 0 && password.length <= MAX_PASSWORD) {
        return { kind: 'password', username, password };
      }
    }
  }
  const token = params.get('token');
  if (token && token.length <= MAX_TOKEN) {
    if (parseSecuretoken(token)) {
      const userId = params.get('user_id');
      return userId ? { kind: 'signed', token, userId: userId.slice(0, 32) } : { kind: 'signed', token };
    }
    return { kind: 'token', token };
  }
  const ticket = params.get('ticket');
  if (ticket && ticket.length <= MAX_TOKEN) return { kind: 'ticket', ticket };
  return null;
}

/** A query string (with or without `?`) or an object of query values, as URLSearchParams. */
export function queryParams(query: string | Record<string, unknown>): URLSearchParams {
  if (typeof query === 'string') return new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (typeof value === 'string') params.set(key, value);
    else if (Array.isArray(value) && typeof value[0] === 'string') params.set(key, value[0]);
  }
  return params;
}
