import { createCipheriv, createHmac, hash, timingSafeEqual, type Cipher } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { randomToken } from '../crypto/tokens';
import { canonicalAddressText } from '../../src-shared/net/ip-ranges';

/**
 * Scoped, expiring tickets that stand in for the viewer's credential in every URL the CAS writes
 * (the account token never leaves in a URL): on the URIs of a rewritten playlist, so a player
 * that drops query strings or headers still reaches every key, segment and variant, and on the
 * stream URLs of playlists and stream info (`urlSigning: token`). A ticket is
 * `<scope><account>.<expires>.<mac>`, under the write-only setting secret `hlsTicketSecret` (the
 * previous secret stays valid during the signing grace period). It is good for one channel, one
 * address and until its expiry; entitlement is checked again wherever it is presented.
 *
 * The MAC (v2) is AES-128 of the channel's 128-bit id (SHA-256 of the channel id, truncated) under
 * a viewer key: HMAC-SHA256 (truncated to 128 bits) of scope, account, viewer address and expiry.
 * One viewer key and one AES pass sign a whole 200-channel playlist, where an HMAC per channel
 * was half of the route's CPU; AES under a secret key is a PRF on single blocks, so a ticket still
 * says nothing about another channel's. v1 tickets (an HMAC over all claims) are still accepted
 * until they expire, so an upgrade does not cut off URLs already handed out.
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

/** The first MAC_BYTES of HMAC-SHA256 of `message` under `secret`. */
function hmac(secret: string, message: string): Buffer {
  return createHmac('sha256', secret).update(message).digest().subarray(0, MAC_BYTES);
}

/** What a v1 ticket's MAC covered: `cas-ticket-v1`, scope, channel, account, canonical viewer address, expiry. */
function claimsTextV1(scope: TicketScope, channelId: string, viewerPart: string): string {
  return `cas-ticket-v1\u0000${scope}\u0000${channelId}\u0000${viewerPart}`;
}

/** What a viewer key is derived from: `cas-ticket-v2`, scope, account, canonical viewer address, expiry. */
function viewerKeyText(scope: TicketScope, viewerPart: string): string {
  return `cas-ticket-v2\u0000${scope}\u0000${viewerPart}`;
}

/** The part of the MAC input after the channel: the same for every channel of one viewer's request. */
function viewerPartOf(accountId: number | null, ip: string, expiresAt: number): string {
  return `${accountId ?? '-'}\u0000${canonicalAddressText(ip)}\u0000${expiresAt}`;
}

/** Channel ids as AES blocks, remembered (a channel's block never changes). */
const channelBlocks = new Map<string, Buffer>();
const MAX_CHANNEL_BLOCKS = 100_000;

function channelBlock(channelId: string): Buffer {
  let block = channelBlocks.get(channelId);
  if (!block) {
    if (channelBlocks.size >= MAX_CHANNEL_BLOCKS) channelBlocks.clear();
    channelBlocks.set(channelId, (block = hash('sha256', `cas-ticket-channel\u0000${channelId}`, 'buffer').subarray(0, MAC_BYTES)));
  }
  return block;
}

/** An AES-128 block cipher under a viewer key (ECB over whole blocks: every block on its own). */
function viewerCipher(viewerKey: Buffer): Cipher {
  const cipher = createCipheriv('aes-128-ecb', viewerKey, null);
  cipher.setAutoPadding(false);
  return cipher;
}

/** Issues tickets of one scope, account, address and expiry for any channel (one per channel of a playlist). */
export interface TicketIssuer {
  (channelId: string): string;
  /** Tickets for many channels in one AES pass (a playlist), in their order. */
  many(channelIds: readonly string[]): string[];
}

/** Viewer ciphers remembered per secret (see `#viewerCipher`). */
const MAX_VIEWER_CIPHERS = 8192;

export class KeyTickets {
  /** Viewer ciphers by secret; a rotated secret is a new entry (at most current and previous are used). */
  readonly #viewerCiphers = new Map<string, Map<string, Cipher>>();

  constructor(private readonly ctx: CasContext) {}

  /** Issues a ticket valid for `ttlSeconds` from now. */
  issue(scope: TicketScope, channelId: string, accountId: number | null, ip: string, ttlSeconds: number): { ticket: string; expiresAt: number } {
    const expiresAt = Math.floor(this.ctx.clock.now() / 1000) + ttlSeconds;
    return { ticket: this.#issuerUntil(scope, accountId, ip, expiresAt)(channelId), expiresAt };
  }

  /**
   * Tickets for one viewer, scope and expiry (`ttlSeconds` from now), for any channel: the
   * viewer key is derived once, each channel costs one AES block.
   */
  issuer(scope: TicketScope, accountId: number | null, ip: string, ttlSeconds: number): TicketIssuer {
    return this.#issuerUntil(scope, accountId, ip, Math.floor(this.ctx.clock.now() / 1000) + ttlSeconds);
  }

  #issuerUntil(scope: TicketScope, accountId: number | null, ip: string, expiresAt: number): TicketIssuer {
    const cipher = this.#viewerCipher(this.#secrets()[0], scope, viewerPartOf(accountId, ip, expiresAt));
    const prefix = `${scope}${accountId ?? '-'}.${expiresAt}.`;
    const many = (channelIds: readonly string[]): string[] => {
      const blocks = Buffer.allocUnsafe(channelIds.length * MAC_BYTES);
      channelIds.forEach((id, i) => channelBlock(id).copy(blocks, i * MAC_BYTES));
      const macs = cipher.update(blocks);
      return channelIds.map((_, i) => `${prefix}${macs.toString('base64url', i * MAC_BYTES, (i + 1) * MAC_BYTES)}`);
    };
    return Object.assign((channelId: string) => `${prefix}${cipher.update(channelBlock(channelId)).toString('base64url')}`, { many });
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
    const viewerPart = viewerPartOf(claims.accountId, ip, claims.expiresAt);
    const secrets = this.#secrets();
    for (const secret of secrets) if (timingSafeEqual(presented, this.#viewerCipher(secret, scope, viewerPart).update(channelBlock(channelId)))) return claims;
    // A v1 ticket, handed out before the upgrade, until it expires.
    for (const secret of secrets) if (timingSafeEqual(presented, hmac(secret, claimsTextV1(scope, channelId, viewerPart)))) return claims;
    return null;
  }

  /**
   * The viewer cipher of a ticket's claims under one secret, remembered (it depends on nothing
   * else): a viewer's key and segment requests within a second share one, issued or verified.
   */
  #viewerCipher(secret: string, scope: TicketScope, viewerPart: string): Cipher {
    let ciphers = this.#viewerCiphers.get(secret);
    if (!ciphers) {
      // Only the current and previous secrets are ever asked for: older ones can go.
      if (this.#viewerCiphers.size >= 4) this.#viewerCiphers.clear();
      this.#viewerCiphers.set(secret, (ciphers = new Map<string, Cipher>()));
    }
    const name = `${scope}\u0000${viewerPart}`;
    let cipher = ciphers.get(name);
    if (!cipher) {
      if (ciphers.size >= MAX_VIEWER_CIPHERS) ciphers.clear();
      ciphers.set(name, (cipher = viewerCipher(hmac(secret, viewerKeyText(scope, viewerPart)))));
    }
    return cipher;
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
