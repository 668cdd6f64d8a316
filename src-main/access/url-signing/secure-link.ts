import { createHash, timingSafeEqual } from 'node:crypto';
import { secureLinkMd5Input } from '../../../src-shared/protocol/nginx-secure-link';
import type { SignatureCheck } from './securetoken';

/** The `md5` value nginx expects: binary MD5 of the secure_link_md5 string, base64url without padding. */
export function secureLinkMd5(expires: number, uriPath: string, remoteAddr: string, secret: string): string {
  return createHash('md5').update(secureLinkMd5Input(expires, uriPath, remoteAddr, secret), 'utf8').digest('base64url');
}

/** Checks a secure_link as nginx does: a wrong hash is `invalid` (403), a right but past one `expired` (410). */
export function verifySecureLink(
  uriPath: string,
  remoteAddr: string,
  md5: string,
  expires: number,
  nowSeconds: number,
  secrets: readonly string[],
): SignatureCheck {
  if (!/^[A-Za-z0-9_-]{22}$/.test(md5) || !Number.isSafeInteger(expires)) return 'invalid';
  const presented = Buffer.from(md5, 'base64url');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(secureLinkMd5(expires, uriPath, remoteAddr, secret), 'base64url');
    if (presented.length === expected.length && timingSafeEqual(presented, expected)) matched = true;
  }
  if (!matched) return 'invalid';
  return expires < nowSeconds ? 'expired' : 'valid';
}
