import type { ApiKeyScope } from '../../src-shared/schemas/api-keys';
import type { Actor } from '../kernel/actor';

/** Who is calling: a signed-in operator or a script with an API key. */
export type Principal =
  | { kind: 'session'; accountId: number; username: string; role: 'admin' | 'observer'; sessionHash: string }
  /** `channels`: the only channels a packager key may fetch keys for; null for every channel. */
  | { kind: 'api-key'; keyId: number; name: string; scopes: readonly ApiKeyScope[]; channels: readonly string[] | null };

/**
 * What a route needs: `public` anyone; `read` an operator (admin or observer) or an
 * `admin-read` key; `write` an admin or an `admin-write` key; `packager` a `packager` key.
 */
export type Access = 'public' | 'read' | 'write' | 'packager';

export function allows(principal: Principal | null, access: Access): boolean {
  if (access === 'public') return true;
  if (!principal) return false;
  if (principal.kind === 'session') {
    if (access === 'read') return true;
    if (access === 'write') return principal.role === 'admin';
    return false;
  }
  const scopes = principal.scopes;
  if (access === 'read') return scopes.includes('admin-read') || scopes.includes('admin-write');
  if (access === 'write') return scopes.includes('admin-write');
  return scopes.includes('packager');
}

/** Whether a principal allowed on a `packager` route may act for this channel. */
export function mayPackageChannel(principal: Principal | null, channelId: string): boolean {
  return principal?.kind === 'api-key' && (principal.channels === null || principal.channels.includes(channelId));
}

export function actorOf(principal: Principal | null): Actor {
  if (!principal) return { id: null, name: 'anonymous' };
  if (principal.kind === 'session') return { id: principal.accountId, name: principal.username };
  return { id: null, name: `api-key:${principal.name}` };
}
