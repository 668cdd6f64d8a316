import { hash, randomBytes } from 'node:crypto';

/** A URL-safe random token: 32 bytes → 43 characters of base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are looked up by their SHA-256, so the database never needs them in clear for a lookup. */
export function sha256Hex(value: string | Buffer): string {
  return hash('sha256', value, 'hex');
}

/**
 * How many leading characters of an account token are stored in clear (`accounts.token_prefix`),
 * shown in lists and searchable; see docs/security.md for why that leaves the token strong.
 */
export const TOKEN_PREFIX_LENGTH = 8;

export function tokenPrefixOf(token: string): string {
  return token.slice(0, TOKEN_PREFIX_LENGTH);
}

/** The first characters of a credential, for display next to it ("abcd12…"). */
export function previewOf(secret: string): string {
  return `${secret.slice(0, 6)}…`;
}
