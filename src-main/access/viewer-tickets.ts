import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { randomToken } from '../crypto/tokens';
import { canonicalAddressText } from '../../src-shared/net/ip-ranges';

/**
 * Scoped, expiring tickets that stand in for the viewer's credential in every URL the CAS writes
 * (the account token never leaves in a URL): on the URIs of a rewritten playlist, so a player
 * that drops query strings or headers still reaches every key, segment and variant, and on the
 * stream URLs of playlists and stream info (`urlSigning: token`). A ticket is
 * `<scope><account>.<expires>.<mac>`: HMAC-SHA256 (truncated to 128 bits) over scope, channel,
 * account, viewer address and expiry, under the write-only setting secret `hlsTicketSecret` (the
 * previous secret stays valid during the signing grace period). It is good for one channel, one
 * address and until its expiry; entitlement is checked again wherever it is presented.
 */

/**
 * `k`: keys and segments (short-lived); `p`: variant playlists (each reload re-checks entitlement);
 * `s`: a stream URL written into a playlist or stream info (`signedUrlTtlSeconds`), accepted by
 * the auth backends and the content routes.
 */
export type TicketScope = 'k' | 'p' | 's';

interface TicketClaims {
  scope: TicketScope;
  channelId: string;
  /** null when the viewer was let in by an allow-listed address rather than a credential. */
  accountId: number | null;
  ip: string;
  /** Unix seconds. */
  expiresAt: number;
}

const MAC_BYTES = 16;
const TICKET_PATTERN = /^([kps])(\d{1,12}|-)\.(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

function macOf(secret: string, claims: TicketClaims): Buffer {
  return createHmac('sha256', secret)
    .update(
      ['cas-ticket-v1', claims.scope, claims.channelId, claims.accountId ?? '-', canonicalAddressText(claims.ip), claims.expiresAt].join('\u0000'),
    )
    .digest()
    .subarray(0, MAC_BYTES);
}

export class KeyTickets {
  constructor(private readonly ctx: CasContext) {}

  /** Issues a ticket valid for `ttlSeconds` from now. */
  issue(scope: TicketScope, channelId: string, accountId: number | null, ip: string, ttlSeconds: number): { ticket: string; expiresAt: number } {
    const expiresAt = Math.floor(this.ctx.clock.now() / 1000) + ttlSeconds;
    const claims: TicketClaims = { scope, channelId, accountId, ip, expiresAt };
    const mac = macOf(this.#secrets()[0], claims).toString('base64url');
    return { ticket: `${scope}${accountId ?? '-'}.${expiresAt}.${mac}`, expiresAt };
  }

  /**
   * The claims of a valid ticket for this channel and address, or null (malformed, forged,
   * expired, another channel, another address). `scopes` lists the scopes this URL accepts.
   */
  verify(ticket: string, channelId: string, ip: string, scopes: readonly TicketScope[]): TicketClaims | null {
    const match = TICKET_PATTERN.exec(ticket);
    if (!match) return null;
    const scope = match[1] as TicketScope;
    if (!scopes.includes(scope)) return null;
    const claims: TicketClaims = {
      scope,
      channelId,
      accountId: match[2] === '-' ? null : Number(match[2]),
      ip,
      expiresAt: Number(match[3]),
    };
    if (claims.expiresAt * 1000 <= this.ctx.clock.now()) return null;
    const presented = Buffer.from(match[4], 'base64url');
    if (presented.length !== MAC_BYTES) return null;
    let valid = false;
    for (const secret of this.#secrets()) valid = timingSafeEqual(presented, macOf(secret, claims)) || valid;
    return valid ? claims : null;
  }

  /** Current secret first, then the previous one while its grace period lasts; created on first use. */
  #secrets(): string[] {
    const { settings, clock } = this.ctx;
    let value = settings.secret('hlsTicketSecret');
    if (!value) {
      settings.setSecret('hlsTicketSecret', randomToken());
      value = settings.secret('hlsTicketSecret')!;
    }
    const graceMinutes = settings.get().signingSecretGraceMinutes;
    const secrets = [value.current];
    if (value.previous && clock.now() - value.rotatedAt < graceMinutes * 60_000) secrets.push(value.previous);
    return secrets;
  }
}
