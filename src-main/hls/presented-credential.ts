import type { Context } from 'koa';
import type { ViewerCredential } from '../access/access-types';
import type { KeyTickets, TicketScope } from '../access/viewer-tickets';
import { callerAddress } from '../access/caller-address';

/** The cookie the rewritten playlist sets for key requests (players that keep cookies but drop queries). */
export const TICKET_COOKIE = 'cas_ticket';

export type PresentedCredential =
  | { kind: 'credential'; credential: ViewerCredential | null }
  /** A ticket was presented but does not verify: refuse without asking further. */
  | { kind: 'bad-ticket' };

function queryText(koa: Context, name: string): string | undefined {
  const value = koa.query[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? value : undefined;
}

/**
 * What a viewer presented on a content request, in the ways players can carry it: an
 * `Authorization: Bearer <token>` or `Basic` header, `?token=`, Astra's `?auth=login:password`,
 * a `?ticket=` from a rewritten playlist, or the ticket cookie set with the playlist.
 * A ticket stands for the account it was issued to (entitlement is still checked by the caller).
 */
export function presentedCredential(
  koa: Context,
  tickets: KeyTickets,
  channelId: string,
  scopes: readonly TicketScope[],
): PresentedCredential {
  const authorization = koa.get('authorization');
  const bearer = /^Bearer\s+(\S{1,512})$/i.exec(authorization);
  if (bearer) return { kind: 'credential', credential: { kind: 'token', token: bearer[1] } };
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(authorization);
  if (basic) {
    const text = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { kind: 'credential', credential: { kind: 'password', username: text.slice(0, colon), password: text.slice(colon + 1) } };
  }
  const token = queryText(koa, 'token');
  if (token) return { kind: 'credential', credential: { kind: 'token', token } };
  const auth = queryText(koa, 'auth');
  if (auth && auth.indexOf(':') > 0) {
    const colon = auth.indexOf(':');
    return { kind: 'credential', credential: { kind: 'password', username: auth.slice(0, colon), password: auth.slice(colon + 1) } };
  }
  const ticket = queryText(koa, 'ticket') ?? koa.cookies.get(TICKET_COOKIE);
  if (ticket) {
    const claims = tickets.verify(ticket, channelId, callerAddress(koa), scopes);
    if (!claims) return { kind: 'bad-ticket' };
    return { kind: 'credential', credential: claims.accountId === null ? null : { kind: 'account', accountId: claims.accountId } };
  }
  return { kind: 'credential', credential: null };
}
