import type { Context } from 'koa';
import type { Settings } from '../../src-shared/schemas/settings';
import { addressText, parseIpAddress, parseIpRange, type IpRange } from '../../src-shared/net/ip-ranges';
import { anyRangeMatches } from './ip-lists';

/** Caches the parsed form of a settings list (the settings object is replaced on every change). */
const rangeCache = new WeakMap<readonly string[], IpRange[]>();
function settingRanges(list: readonly string[]): IpRange[] {
  let parsed = rangeCache.get(list);
  if (!parsed) rangeCache.set(list, (parsed = list.map(parseIpRange).filter((r): r is IpRange => r !== null)));
  return parsed;
}

/** Whether an address is one of the registered streaming servers (who may speak for a viewer's address). */
export function isStreamingServer(address: string, settings: Settings): boolean {
  return anyRangeMatches(parseIpAddress(address), settingRanges(settings.streamingServers)) !== undefined;
}

/** The TCP peer's address, IPv4-mapped IPv6 unwrapped. */
function peerAddress(koa: Context): string {
  const raw = koa.req.socket.remoteAddress ?? '';
  const address = parseIpAddress(raw);
  return address ? addressText(address) : raw;
}

/**
 * Who sent a request: the socket peer, unless the peer is a configured trusted proxy; then
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first other address
 * is the caller. The leftmost entry (which the client writes itself) is never trusted as such.
 */
function addressThroughProxies(koa: Context, trustedProxies: readonly string[]): string {
  const peer = peerAddress(koa);
  const trusted = settingRanges(trustedProxies);
  if (trusted.length === 0 || !anyRangeMatches(parseIpAddress(peer), trusted)) return peer;
  const hops = koa
    .get('x-forwarded-for')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const address = parseIpAddress(hops[i]);
    if (!address) return peer;
    if (!anyRangeMatches(address, trusted)) return addressText(address);
  }
  return peer;
}

const CALLER_ADDRESS = Symbol('callerAddress');
type StateWithAddress = { [CALLER_ADDRESS]?: string };

/**
 * Works out the caller's address once per request (the client listener's edge calls it first), so
 * every client route (keys, /hls, playlists, devices, auth backends, rate limits, deny lists, ticket
 * binding) sees the same viewer behind the same proxy. Returns the address.
 */
export function resolveCallerAddress(koa: Context, settings: Settings): string {
  const address = addressThroughProxies(koa, settings.trustedProxies);
  (koa.state as StateWithAddress)[CALLER_ADDRESS] = address;
  return address;
}

/** The caller's address (the viewer, on content routes) as `resolveCallerAddress` found it. */
export function callerAddress(koa: Context): string {
  const address = (koa.state as StateWithAddress)[CALLER_ADDRESS];
  if (address === undefined) throw new Error('callerAddress: resolveCallerAddress is not installed on this listener');
  return address;
}
