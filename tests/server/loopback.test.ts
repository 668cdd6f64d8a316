import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHost } from '../../src-main/http/loopback';

describe('loopback: one rule for peer addresses, listen addresses and Host names', () => {
  it('knows this machine by 127.0.0.0/8, ::1 and their IPv4-mapped forms, and nothing else', () => {
    for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(ip)).toBe(true);
    for (const ip of ['10.0.0.1', '::', '0.0.0.0', '128.0.0.1', 'localhost', '127.0.0.1.example.com']) expect(isLoopbackAddress(ip)).toBe(false);
  });

  it('accepts localhost and loopback addresses as hosts, bracketed IPv6 too, and no other name', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', 'cas.example.com', 'localhost.example.com', '[::]']) expect(isLoopbackHost(host)).toBe(false);
  });
});
