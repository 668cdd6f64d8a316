import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { parseIpAddress } from '../../src-shared/net/ip-ranges';

/**
 * The only way the CAS fetches from a channel's HTTP origin. It reads URLs below the origin base
 * and nothing else: redirects are followed by hand, at most `MAX_REDIRECTS`, and only while they
 * stay below the base; names that resolve to link-local or cloud-metadata addresses are refused
 * at connect time (so DNS rebinding cannot slip past a check done earlier) unless the operator's
 * origin names such an address literally; the body is counted as it streams and the request is
 * aborted past `maxBytes`, and one deadline covers connecting, redirects, headers and body.
 */

const MAX_REDIRECTS = 3;

type OriginFetchFailure = 'outside_origin' | 'forbidden_address' | 'redirect_outside_origin' | 'too_many_redirects' | 'too_large' | 'timeout' | 'unreachable';

export class OriginFetchError extends Error {
  constructor(
    readonly reason: OriginFetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export type OriginFetchResult = { status: number; body: Buffer; url: URL };

/** Addresses the CAS never connects to by name: link-local and the cloud metadata services. */
const METADATA_ADDRESSES = new BlockList();
METADATA_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4');
METADATA_ADDRESSES.addAddress('100.100.100.200', 'ipv4');
METADATA_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');
METADATA_ADDRESSES.addAddress('fd00:ec2::254', 'ipv6');

/** True for an address the CAS refuses to reach through a host name (IPv4-mapped IPv6 unwrapped). */
export function isMetadataAddress(address: string): boolean {
  const parsed = parseIpAddress(address);
  if (!parsed) return false;
  return METADATA_ADDRESSES.check(parsed.toString(), parsed.kind() === 'ipv4' ? 'ipv4' : 'ipv6');
}

/** True when `url` lies below `base`: same scheme, host and port, and a path inside the base path. */
export function isBelowOrigin(base: URL, url: URL): boolean {
  return url.protocol === base.protocol && url.host === base.host && url.username === '' && url.password === '' && url.pathname.startsWith(base.pathname);
}

type AllAddressesResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for node:http that drops link-local and metadata addresses and fails when nothing
 * else is left (`resolve` is replaceable for tests).
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions,
  callback: Parameters<LookupFunction>[2],
  resolve: AllAddressesResolver = dnsLookup,
): void {
  resolve(hostname, { family: options.family, hints: options.hints, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const usable = addresses.filter((a) => !isMetadataAddress(a.address));
    if (usable.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves only to link-local or metadata addresses`), { code: 'ECAS_FORBIDDEN_ADDRESS' });
      return callback(refused, '', 0);
    }
    if (options.all) return callback(null, usable);
    return callback(null, usable[0].address, usable[0].family);
  });
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** One GET without following redirects; resolves with the response (headers read, body not yet). */
function get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // A literal address in the origin is the operator's explicit choice: Node does no lookup for it.
    const lookup: LookupFunction | undefined = isIP(hostOf(url)) ? undefined : (hostname, options, callback) => guardedLookup(hostname, options, callback);
    const req = request(url, { method: 'GET', signal, lookup, headers: { accept: '*/*' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Reads a body up to `maxBytes`, destroying the response the moment it grows past that. */
function readBounded(response: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new OriginFetchError('too_large', `The origin answer is larger than ${maxBytes} bytes`));
      return void response.destroy();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Settle first: destroying emits 'aborted' at once.
        reject(new OriginFetchError('too_large', `The origin answer is larger than ${maxBytes} bytes`));
        response.destroy();
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(new OriginFetchError('unreachable', 'The origin closed the connection')));
  });
}

/** GETs `url` (which must lie below `base`) within `timeoutMs` and `maxBytes`, following only redirects below `base`. */
export async function fetchBelowOrigin(base: URL, url: URL, limits: { maxBytes: number; timeoutMs: number }): Promise<OriginFetchResult> {
  if (!isBelowOrigin(base, url)) throw new OriginFetchError('outside_origin', 'The URL is not below the channel origin');
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), limits.timeoutMs);
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const response = await get(current, deadline.signal);
      const location = response.headers.location;
      if (response.statusCode !== undefined && response.statusCode >= 300 && response.statusCode < 400 && location) {
        response.destroy();
        const next = new URL(location, current);
        if (!isBelowOrigin(base, next)) throw new OriginFetchError('redirect_outside_origin', 'The origin redirected outside the channel origin');
        if (redirects >= MAX_REDIRECTS) throw new OriginFetchError('too_many_redirects', 'The origin redirected too often');
        current = next;
        continue;
      }
      return { status: response.statusCode ?? 502, body: await readBounded(response, limits.maxBytes), url: current };
    }
  } catch (error) {
    if (deadline.signal.aborted) throw new OriginFetchError('timeout', `The origin did not answer within ${limits.timeoutMs} ms`);
    if (error instanceof OriginFetchError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ECAS_FORBIDDEN_ADDRESS') throw new OriginFetchError('forbidden_address', (error as Error).message);
    throw new OriginFetchError('unreachable', 'The channel origin did not answer');
  } finally {
    clearTimeout(timer);
  }
}
