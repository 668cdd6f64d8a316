import type { Context } from 'koa';
import type { Settings } from '../../src-shared/schemas/settings';
import { ForbiddenError } from '../../src-shared/errors';
import { parseIpAddress, parseIpRange, type IpRange } from '../../src-shared/net/ip-ranges';
import { anyRangeMatches } from '../access/ip-lists';

function parsedRanges(list: readonly string[]): IpRange[] {
  return list.map(parseIpRange).filter((r): r is IpRange => r !== null);
}

/** Caches the parsed form of a settings list (the settings object is replaced on every change). */
const rangeCache = new WeakMap<readonly string[], IpRange[]>();
function ranges(list: readonly string[]): IpRange[] {
  let parsed = rangeCache.get(list);
  if (!parsed) rangeCache.set(list, (parsed = parsedRanges(list)));
  return parsed;
}

/** The TCP peer's address, IPv4-mapped IPv6 unwrapped. */
export function peerAddress(koa: Context): string {
  const raw = koa.req.socket.remoteAddress ?? '';
  return parseIpAddress(raw)?.toString() ?? raw;
}

/**
 * The caller's address: the socket peer, unless the peer is a configured trusted proxy; then
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first other address
 * is the caller. The leftmost entry (which the client writes itself) is never trusted as such.
 */
export function callerAddress(koa: Context, settings: Settings): string {
  const peer = peerAddress(koa);
  const trusted = ranges(settings.trustedProxies);
  if (trusted.length === 0 || !anyRangeMatches(parseIpAddress(peer), trusted)) return peer;
  const hops = koa
    .get('x-forwarded-for')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseIpAddress(hops[i]);
    if (!address) return peer;
    if (!anyRangeMatches(address, trusted)) return address.toString();
  }
  return peer;
}

/** Whether an address is one of the registered streaming servers. */
export function isStreamingServer(address: string, settings: Settings): boolean {
  return anyRangeMatches(parseIpAddress(address), ranges(settings.streamingServers)) !== undefined;
}

/**
 * Only registered streaming servers may ask the auth backends (and so speak for a viewer's IP):
 * anyone else gets 403, so nobody can ask "may IP x watch?" on a viewer's behalf.
 */
export function assertStreamingServer(koa: Context, settings: Settings): string {
  const caller = callerAddress(koa, settings);
  if (!isStreamingServer(caller, settings)) {
    throw new ForbiddenError('Only registered streaming servers may ask the auth backends', 'not_streaming_server');
  }
  return caller;
}

/** A viewer address given in a header by a streaming server: a plain IPv4/IPv6 address, or null. */
export function headerAddress(value: string | undefined): string | null {
  if (!value) return null;
  const first = value.split(',')[0].trim();
  return parseIpAddress(first)?.toString() ?? null;
}
