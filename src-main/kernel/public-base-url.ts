import { networkInterfaces } from 'node:os';
import type { CasContext } from './context';
import type { PublicBaseUrlSource, PublicBaseUrlStatus } from '../../src-shared/schemas/links';
import { isLoopbackUrlHost } from '../../src-shared/schemas/links';
import { parseIpAddress } from '../../src-shared/net/ip-ranges';

/** The base URL of every link the CAS hands to a device, and where it came from. */
export interface PublicBase {
  url: string;
  source: PublicBaseUrlSource;
}

interface LanAddress {
  address: string;
  interface: string;
}

/** This machine's non-internal addresses, IPv4 first; IPv6 link-local ones need a zone and are left out. */
export function lanAddresses(): LanAddress[] {
  const found: Array<LanAddress & { v4: boolean }> = [];
  for (const [name, entries] of Object.entries(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.internal || parseIpAddress(entry.address)?.range() === 'linkLocal') continue;
      found.push({ address: entry.address, interface: name, v4: entry.family === 'IPv4' });
    }
  }
  return found.sort((a, b) => Number(b.v4) - Number(a.v4)).map(({ address, interface: name }) => ({ address, interface: name }));
}

/** The listener URL with another host (IPv6 in brackets). */
function withHost(listenerUrl: string, address: string): string {
  const url = new URL(listenerUrl);
  url.hostname = address.includes(':') ? `[${address}]` : address;
  return url.origin;
}

/**
 * Without the setting: the client listener's own address when it binds one; for a wildcard bind,
 * the machine's first LAN address; loopback only when nothing else reaches this machine.
 * Never anything a request carries (its Host header is the viewer's to choose).
 */
function listenerBase(runtime: CasContext['runtime']): PublicBase | null {
  if (!runtime.apiUrl || !runtime.apiHost) return null;
  const listener = new URL(runtime.apiUrl).origin;
  if (parseIpAddress(runtime.apiHost)?.range() === 'unspecified') {
    const lan = lanAddresses()[0];
    return lan ? { url: withHost(listener, lan.address), source: 'lan-address' } : { url: listener, source: 'loopback' };
  }
  return { url: listener, source: isLoopbackUrlHost(new URL(listener).hostname) ? 'loopback' : 'listener' };
}

// The fallback reads the network interfaces (~0.1 ms), so it is kept per run; reading the status
// (the dashboard does on every visit) takes a fresh look, so a changed LAN address is picked up.
const fallbacks = new WeakMap<CasContext['runtime'], PublicBase>();

function fallbackBase(runtime: CasContext['runtime'], fresh: boolean): PublicBase {
  const known = fresh ? undefined : fallbacks.get(runtime);
  if (known) return known;
  const base = listenerBase(runtime);
  if (!base) return { url: 'http://127.0.0.1', source: 'loopback' };
  fallbacks.set(runtime, base);
  return base;
}

/** The one place a device-facing absolute URL's base comes from: the `publicBaseUrl` setting, else an address of this machine. */
export function publicBaseUrl(ctx: CasContext): PublicBase {
  const configured = ctx.settings.get().publicBaseUrl;
  return configured ? { url: configured, source: 'setting' } : fallbackBase(ctx.runtime, false);
}

/** An absolute device-facing URL for a path of the client API (an absolute URL stays as it is). */
export function publicUrl(ctx: CasContext, pathOrUrl: string): string {
  return /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${publicBaseUrl(ctx).url}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
}

/** What the dashboard shows: the setting, the base in use, and the client listener on each LAN address. */
export function publicBaseUrlStatus(ctx: CasContext): PublicBaseUrlStatus {
  const fallback = fallbackBase(ctx.runtime, true);
  const configured = ctx.settings.get().publicBaseUrl;
  const effective = configured ? { url: configured, source: 'setting' as const } : fallback;
  const listeners = [ctx.runtime.apiUrl, ctx.runtime.apiTlsUrl].filter((url, i, all): url is string => !!url && all.indexOf(url) === i);
  const lan = ctx.runtime.apiHost && parseIpAddress(ctx.runtime.apiHost)?.range() !== 'unspecified'
    ? (isLoopbackUrlHost(ctx.runtime.apiHost) ? [] : [{ address: ctx.runtime.apiHost, interface: 'listener' }])
    : lanAddresses();
  const suggestions = lan.flatMap((a) => listeners.map((listener) => ({ url: withHost(listener, a.address), interface: a.interface })));
  return { configured, effective: effective.url, source: effective.source, suggestions };
}
