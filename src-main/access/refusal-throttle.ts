import type ipaddr from 'ipaddr.js';
import { addressText, parseIpAddress } from '../../src-shared/net/ip-ranges';

const WINDOW_MS = 60_000;
/** Addresses remembered at most; past this the oldest is forgotten, so rotating addresses cannot grow memory. */
const MAX_ADDRESSES = 50_000;

/**
 * What refusals are counted against: an IPv4 address, or the /64 of an IPv6 address (one
 * subscriber line gets a whole /64, so rotating within it must not reset the count).
 */
export function refusalSubject(ip: string): string {
  const address = parseIpAddress(ip);
  if (!address) return ip.slice(0, 64);
  if (address.kind() === 'ipv4') return addressText(address);
  return `${(address as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
}

/**
 * Refusals of unauthenticated viewers counted per address in a fixed one-minute window. At the
 * limit the address is refused at once, with no database read, password check or log line,
 * until its window ends. In memory and bounded: the oldest addresses are forgotten first.
 */
export class RefusalThrottle {
  readonly #windows = new Map<string, { count: number; since: number }>();

  constructor(private readonly maxAddresses = MAX_ADDRESSES) {}

  blocked(subject: string, now: number, limit: number): boolean {
    const window = this.#windows.get(subject);
    return window !== undefined && window.since > now - WINDOW_MS && window.count >= limit;
  }

  record(subject: string, now: number): void {
    const window = this.#windows.get(subject);
    if (window && window.since > now - WINDOW_MS) {
      window.count++;
      return;
    }
    // A new window goes to the end of the eviction order.
    this.#windows.delete(subject);
    if (this.#windows.size >= this.maxAddresses) this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(subject, { count: 1, since: now });
  }

  get size(): number {
    return this.#windows.size;
  }

  sweep(now: number): void {
    for (const [subject, window] of this.#windows) if (window.since <= now - WINDOW_MS) this.#windows.delete(subject);
  }
}
