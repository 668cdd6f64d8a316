import { parseIpAddress } from '../../src-shared/net/ip-ranges';

/** Whether a peer address is this machine: 127.0.0.0/8 (IPv4-mapped too) or ::1. */
export function isLoopbackAddress(ip: string): boolean {
  return parseIpAddress(ip)?.range() === 'loopback';
}

/**
 * Whether a host (a listen address, or the host of a Host header, IPv6 in brackets or not)
 * names this machine only: `localhost` or a loopback address.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return name === 'localhost' || isLoopbackAddress(name);
}
