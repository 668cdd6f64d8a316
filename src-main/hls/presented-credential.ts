import type { Context } from 'koa';
import type { ViewerCredential } from '../access/access-types';
import type { KeyTickets, TicketScope } from '../access/viewer-tickets';
import { callerAddress } from '../access/caller-address';
import { boundedToken, credentialFromAuthorization, credentialFromQuery } from '../access/viewer-credentials';

/** The cookie the rewritten playlist sets for key requests (players that keep cookies but drop queries). */
export const TICKET_COOKIE = 'cas_ticket';

type PresentedCredential =
  | { kind: 'credential'; credential: ViewerCredential | null }
  /** A ticket was presented but does not verify: refuse without asking further. */
  | { kind: 'bad-ticket' };

/**
 * What a viewer presented on a content request, in the ways players can carry it: an
 * `Authorization: Bearer <token>` or `Basic` header, the query credential (`?auth=login:password`,
 * `?token=`, `?ticket=` from a rewritten playlist; see `credentialFromQuery`), or the ticket cookie
 * set with the playlist. A ticket stands for the account it was issued to, verified here for this
 * door's scopes (entitlement is still checked by the caller).
 */
export function presentedCredential(
  koa: Context,
  tickets: KeyTickets,
  channelId: string,
  scopes: readonly TicketScope[],
): PresentedCredential {
  const fromHeader = credentialFromAuthorization(koa.get('authorization'));
  if (fromHeader) return { kind: 'credential', credential: fromHeader };
  const fromQuery = credentialFromQuery(new URLSearchParams(koa.querystring));
  // A securetoken signs a stream URL for an edge; here it is only what an account token would be.
  if (fromQuery?.kind === 'signed') return { kind: 'credential', credential: { kind: 'token', token: fromQuery.token } };
  if (fromQuery && fromQuery.kind !== 'ticket') return { kind: 'credential', credential: fromQuery };
  const ticket = fromQuery?.kind === 'ticket' ? fromQuery.ticket : boundedToken(koa.cookies.get(TICKET_COOKIE));
  if (ticket) {
    const claims = tickets.verify(ticket, channelId, callerAddress(koa), scopes);
    if (!claims) return { kind: 'bad-ticket' };
    return { kind: 'credential', credential: claims.accountId === null ? null : { kind: 'account', accountId: claims.accountId } };
  }
  return { kind: 'credential', credential: null };
}
