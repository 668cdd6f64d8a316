import ipaddr from 'ipaddr.js';

/** An address or network, parsed: the canonical text form is `address/prefix`. */
export interface IpRange {
  kind: 'ipv4' | 'ipv6';
  address: ipaddr.IPv4 | ipaddr.IPv6;
  prefix: number;
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // ipaddr.js reads `010.1.1.1` as octal and `1.2.3` as a three-part address;
  // operators mean neither, so IPv4 must be four plain decimal parts.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    const v6 = ipaddr.IPv6.parse(text);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return null;
}

/** Parses `1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32`, `::ffff:1.2.3.4`; null when it is none of these. */
export function parseIpRange(text: string): IpRange | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return null;
  const kind = address.kind();
  const max = kind === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    // A mapped IPv6 network (`::ffff:10.0.0.0/104`) becomes the IPv4 network it names.
    if (kind === 'ipv4' && addressText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > max) return null;
  }
  const network =
    kind === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return { kind, address: network, prefix };
}

export function formatIpRange(range: IpRange): string {
  return `${range.address.toString()}/${range.prefix}`;
}

/** Addresses remembered parsed; past this the memo starts over, so rotating addresses cannot grow memory. */
const MAX_REMEMBERED_ADDRESSES = 10_000;
const parsedAddresses = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();

/**
 * Parses a single client address (no prefix), unwrapping IPv4-mapped IPv6. Remembered: one
 * request asks for the same address several times (caller, limits, lists, log), and the same
 * viewers come back. A pure function of the text, so nothing ever needs to invalidate it;
 * callers must not modify the address they get.
 */
export function parseIpAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // Longer than any address with spaces around it: parsed (and refused) without being remembered.
  if (text.length > 64) return parseAddress(text.trim());
  const known = parsedAddresses.get(text);
  if (known !== undefined) return known;
  const parsed = parseAddress(text.trim());
  if (parsedAddresses.size >= MAX_REMEMBERED_ADDRESSES) parsedAddresses.clear();
  parsedAddresses.set(text, parsed);
  return parsed;
}

const addressTexts = new WeakMap<ipaddr.IPv4 | ipaddr.IPv6, string>();

/**
 * The canonical text of a parsed address, remembered per address object (`parseIpAddress` hands
 * out the same object for the same text, so a returning viewer's address is written out once).
 */
export function addressText(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  let text = addressTexts.get(address);
  if (text === undefined) addressTexts.set(address, (text = address.toString()));
  return text;
}

/** True when `address` lies inside `range`; never throws across address kinds. */
export function ipInRange(address: ipaddr.IPv4 | ipaddr.IPv6, range: IpRange): boolean {
  if (address.kind() !== range.kind) return false;
  return address.match(range.address, range.prefix);
}

let lastAddressText = '';
let lastCanonicalText = '';

/**
 * The canonical text of an address (IPv4-mapped IPv6 unwrapped), or the text itself when it is
 * none. Remembers the last answer: one request signs many URLs for the same viewer address.
 */
export function canonicalAddressText(text: string): string {
  if (text !== lastAddressText) {
    const address = parseIpAddress(text);
    lastCanonicalText = address ? addressText(address) : text;
    lastAddressText = text;
  }
  return lastCanonicalText;
}
