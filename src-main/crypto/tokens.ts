import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A URL-safe random token: 32 bytes → 43 characters of base64url. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are looked up by their SHA-256, so the database never needs them in clear for a lookup. */
export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two strings, via their fixed-length digests. */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** The first characters of a credential, for display next to it ("abcd12…"). */
export function previewOf(secret: string): string {
  return `${secret.slice(0, 6)}…`;
}
