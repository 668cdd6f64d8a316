import type { CasContext } from '../../kernel/context';
import { ConflictError, NotFoundError } from '../../../src-shared/errors';
import { canonicalAddressText } from '../../../src-shared/net/ip-ranges';
import { secureLinkQuery } from '../../../src-shared/protocol/nginx-secure-link';
import { SECURETOKEN_USER_ID_PATTERN } from '../../../src-shared/protocol/securetoken';
import type { ViewerChannel, ViewerDirectory } from '../viewer-directory';
import type { KeyTickets, TicketIssuer } from '../viewer-tickets';
import { acceptedSigningSecrets, currentSigningSecret } from './signing-secrets';
import { secureLinkMd5, verifySecureLink } from './secure-link';
import { accountSalt, signSecuretoken, verifySecuretoken, type SignatureCheck } from './securetoken';

/** Who a stream URL is for. */
interface StreamViewer {
  /** The viewer's address as the streaming server will see it. */
  ip: string;
  accountId: number;
}

interface StreamUrlOptions {
  /** Used when neither the channel nor the `defaultStreamBaseUrl` setting names a base URL. */
  fallbackBaseUrl?: string;
  /** Sign this path instead of the channel's stream path (e.g. a variant playlist). */
  path?: string;
}

/** The address text servers put into signatures: IPv4-mapped IPv6 as plain IPv4, canonical forms. */
const signingAddress = canonicalAddressText;

/** What a channel's securetoken is hashed over; null for schemes that issue none. */
function securetokenSubject(channel: Pick<ViewerChannel, 'id' | 'streamPath' | 'urlSigning'>): string | null {
  switch (channel.urlSigning) {
    case 'astra-id':
    case 'flussonic':
      return channel.id;
    case 'astra-path':
      return channel.streamPath;
    case 'token':
    case 'nginx-secure-link':
      return null;
  }
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * Signs and verifies stream URLs with node:crypto: Astra securetoken (channel id or path),
 * Flussonic securetoken (with the account as user id), nginx secure_link_md5, or (scheme `token`)
 * a stream ticket for the servers that ask the CAS — never the account token itself. Secrets come
 * from the settings; the previous one stays valid for the grace period.
 */
export class UrlSigner {
  /** A channel's unsigned stream URL under the base it was made with (channel objects are new when channels change). */
  readonly #streamUrls = new WeakMap<ViewerChannel, { base: string; url: string }>();

  constructor(
    private readonly ctx: CasContext,
    private readonly directory: ViewerDirectory,
    private readonly tickets: KeyTickets,
  ) {}

  #streamUrlOf(channel: ViewerChannel, base: string): string {
    const known = this.#streamUrls.get(channel);
    if (known?.base === base) return known.url;
    const url = joinUrl(base, channel.streamPath);
    this.#streamUrls.set(channel, { base, url });
    return url;
  }

  /** The full stream URL of a channel for one viewer, signed with the scheme configured for the channel. */
  streamUrl(channelId: string, viewer: StreamViewer, options: StreamUrlOptions = {}): string {
    const channel = this.directory.channel(channelId);
    if (!channel) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
    return this.streamUrlFor(channel, viewer, options);
  }

  /** The base URL a channel's stream URLs start with; null when neither the channel, the settings nor the caller names one. */
  streamBaseUrl(channel: ViewerChannel, fallbackBaseUrl?: string): string | null {
    return channel.streamBaseUrl ?? this.ctx.settings.get().defaultStreamBaseUrl ?? fallbackBaseUrl ?? null;
  }

  /** Same as `streamUrl` for a channel already at hand. */
  streamUrlFor(channel: ViewerChannel, viewer: StreamViewer, options: StreamUrlOptions = {}): string {
    return this.streamUrlsFor(viewer, options)(channel);
  }

  /**
   * Signs the stream URLs of many channels for one viewer (a playlist): the viewer's address and,
   * for the `token` scheme, the ticket key are prepared once for all channels; given `channels`
   * (those about to be signed), their tickets are made in one pass.
   */
  streamUrlsFor(viewer: StreamViewer, options: StreamUrlOptions = {}, channels: readonly ViewerChannel[] = []): (channel: ViewerChannel) => string {
    const ip = signingAddress(viewer.ip);
    let streamTickets: TicketIssuer | null = null;
    let prepared: Map<string, string> | null = null;
    const ticketOf = (channelId: string): string => {
      streamTickets ??= this.tickets.issuer('s', viewer.accountId, ip, this.ctx.settings.get().signedUrlTtlSeconds);
      if (!prepared) {
        const ids = channels.filter((c) => c.urlSigning === 'token').map((c) => c.id);
        const tickets = streamTickets.many(ids);
        prepared = new Map(ids.map((id, i) => [id, tickets[i]]));
      }
      return prepared.get(channelId) ?? streamTickets(channelId);
    };
    return (channel) => {
      const base = this.streamBaseUrl(channel, options.fallbackBaseUrl);
      if (!base) throw new ConflictError('stream_base_url_missing', { channelId: channel.id }, `Set a stream base URL for channel "${channel.id}" or the defaultStreamBaseUrl setting`, 'streamBaseUrl');
      const url = options.path === undefined ? this.#streamUrlOf(channel, base) : joinUrl(base, options.path);
      switch (channel.urlSigning) {
        case 'token':
          return `${url}?ticket=${ticketOf(channel.id)}`;
        case 'astra-id':
          return `${url}?token=${this.securetoken(channel.id, ip, { accountId: viewer.accountId })}`;
        case 'astra-path':
          return `${url}?token=${this.securetoken(channel.streamPath, ip, { accountId: viewer.accountId })}`;
        case 'flussonic':
          return `${url}?token=${this.securetoken(channel.id, ip, { userId: String(viewer.accountId) })}&user_id=${viewer.accountId}`;
        case 'nginx-secure-link':
          return `${url}?${this.secureLinkQuery(new URL(url).pathname, ip)}`;
      }
    };
  }

  /**
   * The `?ticket=` of the `token` scheme: good for this account on this channel from this address
   * for `signedUrlTtlSeconds`, at the auth backends and the content routes.
   */
  streamTicket(channelId: string, accountId: number, ip: string): string {
    return this.tickets.issue('s', channelId, accountId, signingAddress(ip), this.ctx.settings.get().signedUrlTtlSeconds).ticket;
  }

  /**
   * An Astra/Flussonic securetoken (`hash-salt-end-start`) for a subject and viewer IP, start
   * backdated by the skew allowance: Astra's names its account in the salt (see `accountSalt`),
   * Flussonic's in the hashed user id.
   */
  securetoken(subject: string, ip: string, owner: { accountId: number | null } | { userId: string }): string {
    const { signedUrlTtlSeconds, signedUrlSkewSeconds } = this.ctx.settings.get();
    const now = Math.floor(this.ctx.clock.now() / 1000);
    const start = now - signedUrlSkewSeconds;
    return signSecuretoken({
      subject,
      ip: signingAddress(ip),
      start,
      end: now + signedUrlTtlSeconds,
      secret: currentSigningSecret(this.ctx.settings, 'securetokenSecret'),
      ...('userId' in owner ? { userId: owner.userId } : { salt: accountSalt(owner.accountId) }),
    });
  }

  /** The nginx secure_link query (`md5=…&expires=…`) for a decoded URI path and viewer IP. */
  secureLinkQuery(uriPath: string, ip: string, expires?: number): string {
    const until = expires ?? Math.floor(this.ctx.clock.now() / 1000) + this.ctx.settings.get().signedUrlTtlSeconds;
    const secret = currentSigningSecret(this.ctx.settings, 'secureLinkSecret');
    return secureLinkQuery(secureLinkMd5(until, uriPath, signingAddress(ip), secret), until);
  }

  /** `uriPath?md5=…&expires=…`: a segment, playlist or key URI signed for nginx secure_link. */
  signSecureLinkPath(uriPath: string, ip: string, expires?: number): string {
    return `${uriPath}?${this.secureLinkQuery(uriPath, ip, expires)}`;
  }

  /** Checks an nginx secure_link signature as nginx would, accepting the previous secret during the grace period. */
  verifySecureLink(uriPath: string, ip: string, md5: string, expires: number): SignatureCheck {
    const now = this.ctx.clock.now();
    return verifySecureLink(uriPath, signingAddress(ip), md5, expires, Math.floor(now / 1000), acceptedSigningSecrets(this.ctx.settings, 'secureLinkSecret', now));
  }

  /**
   * Checks a securetoken exactly as `streamUrlFor` issues it for this channel's scheme: over the
   * channel id (astra-id, flussonic) or path (astra-path), with the account as required user id
   * for Flussonic. Channels of other schemes are never issued one.
   */
  verifyChannelToken(token: string, channel: Pick<ViewerChannel, 'id' | 'streamPath' | 'urlSigning'>, ip: string, userId?: string): SignatureCheck {
    const subject = securetokenSubject(channel);
    if (subject === null) return 'invalid';
    const flussonic = channel.urlSigning === 'flussonic';
    if (flussonic && (userId === undefined || !SECURETOKEN_USER_ID_PATTERN.test(userId))) return 'invalid';
    const now = this.ctx.clock.now();
    const { signedUrlTtlSeconds, signedUrlSkewSeconds } = this.ctx.settings.get();
    return verifySecuretoken(token, {
      subject,
      ip: signingAddress(ip),
      secrets: acceptedSigningSecrets(this.ctx.settings, 'securetokenSecret', now),
      nowSeconds: Math.floor(now / 1000),
      skewSeconds: signedUrlSkewSeconds,
      maxLifetimeSeconds: signedUrlTtlSeconds + signedUrlSkewSeconds,
      userId: flussonic ? userId : undefined,
    });
  }
}
