import { hash, timingSafeEqual } from 'node:crypto';
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

const SHA256_BLOCK_BYTES = 64;
/** Room for a MAC input after the padded key; a longer one (never written by the CAS) is hashed from a copy. */
const MESSAGE_ROOM = 448;

/**
 * HMAC-SHA256 (RFC 2104) of one secret with the key's padded blocks computed once: two one-shot
 * hashes per MAC instead of a new Hmac object (which re-derives the key state every time; most
 * of a 200-channel playlist's cost). Same output as `createHmac('sha256', secret)`.
 */
class TicketMacKey {
  /** The inner padded key followed by room for the message (written in place, no concatenation per MAC). */
  readonly #inner = Buffer.alloc(SHA256_BLOCK_BYTES + MESSAGE_ROOM, 0x36);
  /** The outer padded key followed by the inner digest. */
  readonly #outer = Buffer.alloc(SHA256_BLOCK_BYTES + 32, 0x5c);

  constructor(secret: string) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > SHA256_BLOCK_BYTES) key = hash('sha256', key, 'buffer');
    for (let i = 0; i < key.length; i++) {
      this.#inner[i] ^= key[i];
      this.#outer[i] ^= key[i];
    }
  }

  /** The first MAC_BYTES of the HMAC of `message`. */
  mac(message: string): Buffer {
    // Synchronous use of the two buffers: nothing can interleave between writing and hashing.
    const written = this.#inner.write(message, SHA256_BLOCK_BYTES, 'utf8');
    const inner =
      written < MESSAGE_ROOM
        ? hash('sha256', this.#inner.subarray(0, SHA256_BLOCK_BYTES + written), 'buffer')
        : hash('sha256', Buffer.concat([this.#inner.subarray(0, SHA256_BLOCK_BYTES), Buffer.from(message, 'utf8')]), 'buffer');
    inner.copy(this.#outer, SHA256_BLOCK_BYTES);
    return hash('sha256', this.#outer, 'buffer').subarray(0, MAC_BYTES);
  }
}

/** What a ticket's MAC covers: `cas-ticket-v1`, scope, channel, account, canonical viewer address, expiry. */
function claimsText(scope: TicketScope, channelId: string, viewerPart: string): string {
  return `cas-ticket-v1\u0000${scope}\u0000${channelId}\u0000${viewerPart}`;
}

/** The part of the MAC input after the channel: the same for every channel of one viewer's request. */
function viewerPartOf(accountId: number | null, ip: string, expiresAt: number): string {
  return `${accountId ?? '-'}\u0000${canonicalAddressText(ip)}\u0000${expiresAt}`;
}

/** Issues tickets of one scope, account, address and expiry for any channel (one per channel of a playlist). */
export type TicketIssuer = (channelId: string) => string;

export class KeyTickets {
  /** MAC keys by secret; a rotated secret is a new entry (at most current and previous are used). */
  readonly #keys = new Map<string, TicketMacKey>();

  constructor(private readonly ctx: CasContext) {}

  /** Issues a ticket valid for `ttlSeconds` from now. */
  issue(scope: TicketScope, channelId: string, accountId: number | null, ip: string, ttlSeconds: number): { ticket: string; expiresAt: number } {
    const expiresAt = Math.floor(this.ctx.clock.now() / 1000) + ttlSeconds;
    return { ticket: this.#issuerUntil(scope, accountId, ip, expiresAt)(channelId), expiresAt };
  }

  /**
   * Tickets for one viewer, scope and expiry (`ttlSeconds` from now), for any channel: what
   * differs per channel is only the channel id in the MAC input, the rest is prepared once.
   */
  issuer(scope: TicketScope, accountId: number | null, ip: string, ttlSeconds: number): TicketIssuer {
    return this.#issuerUntil(scope, accountId, ip, Math.floor(this.ctx.clock.now() / 1000) + ttlSeconds);
  }

  #issuerUntil(scope: TicketScope, accountId: number | null, ip: string, expiresAt: number): TicketIssuer {
    const key = this.#macKey(this.#secrets()[0]);
    const viewerPart = viewerPartOf(accountId, ip, expiresAt);
    const prefix = `${scope}${accountId ?? '-'}.${expiresAt}.`;
    return (channelId) => `${prefix}${key.mac(claimsText(scope, channelId, viewerPart)).toString('base64url')}`;
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
    const text = claimsText(scope, channelId, viewerPartOf(claims.accountId, ip, claims.expiresAt));
    let valid = false;
    for (const secret of this.#secrets()) valid = timingSafeEqual(presented, this.#macKey(secret).mac(text)) || valid;
    return valid ? claims : null;
  }

  #macKey(secret: string): TicketMacKey {
    let key = this.#keys.get(secret);
    if (!key) {
      // Only the current and previous secrets are ever asked for: older ones can go.
      if (this.#keys.size >= 4) this.#keys.clear();
      this.#keys.set(secret, (key = new TicketMacKey(secret)));
    }
    return key;
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
