import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  formatSecuretoken,
  parseSecuretoken,
  securetokenHashInput,
  type SecuretokenInput,
} from '../../../src-shared/protocol/securetoken';

export type SignatureCheck = 'valid' | 'invalid' | 'expired';

/** A random salt as Astra's recipe makes it: `bin2hex(random_bytes(4))`. */
function randomSalt(): string {
  return randomBytes(4).toString('hex');
}

const NO_ACCOUNT_SALT = '00000000';

/**
 * The salt of an Astra securetoken the CAS issues to an account: the account id in 8 hex digits.
 * Astra takes any 8 hex digits as salt, and the salt is inside the hash, so nobody can change it:
 * when Astra asks about the token, the CAS knows the account, names the session after it and
 * checks it (enabled, expiry, entitlement, limits). `00000000` names no account (allow-list viewers).
 */
export function accountSalt(accountId: number | null): string {
  if (accountId === null) return NO_ACCOUNT_SALT;
  if (!Number.isInteger(accountId) || accountId < 1 || accountId > 0xffffffff) throw new RangeError(`No salt for account ${accountId}`);
  return accountId.toString(16).padStart(8, '0');
}

/** The account an issued Astra securetoken's salt names, or null for `00000000`. */
export function accountOfSalt(salt: string): number | null {
  return salt === NO_ACCOUNT_SALT ? null : Number.parseInt(salt, 16);
}

/** sha1 over the securetoken input, lower-case hex. */
function securetokenHash(input: SecuretokenInput): string {
  return createHash('sha1').update(securetokenHashInput(input), 'utf8').digest('hex');
}

/** `hash-salt-end-start` (Astra securetoken; Flussonic's is the same layout with an optional user id in the hash). */
export function signSecuretoken(input: Omit<SecuretokenInput, 'salt'> & { salt?: string }): string {
  const salt = input.salt ?? randomSalt();
  return formatSecuretoken({ hash: securetokenHash({ ...input, salt }), salt, end: input.end, start: input.start });
}

export interface SecuretokenPolicy {
  /** What the CAS hashes for this channel: its id or its path. */
  subject: string;
  ip: string;
  /** Current secret, then the previous one during the grace period. */
  secrets: readonly string[];
  nowSeconds: number;
  /** Tolerated clock difference: how far in the future `start` may lie. */
  skewSeconds: number;
  /** The longest `end − start` the CAS issues (TTL plus the backdated skew). */
  maxLifetimeSeconds: number;
  /** Flussonic: the user id the token was issued for (part of the hash). */
  userId?: string;
}

/**
 * Verifies a securetoken as the CAS issued it: the exact field shapes (see `parseSecuretoken`),
 * the hash under any accepted secret, a lifetime no longer than the CAS gives, a start not in the
 * future beyond the skew. Expiry is reported only for a token that is otherwise right.
 */
export function verifySecuretoken(token: string, policy: SecuretokenPolicy): SignatureCheck {
  const parts = parseSecuretoken(token);
  if (!parts || policy.secrets.length === 0) return 'invalid';
  const presented = Buffer.from(parts.hash, 'hex');
  let matched = false;
  for (const secret of policy.secrets) {
    const expected = Buffer.from(
      securetokenHash({ subject: policy.subject, ip: policy.ip, start: parts.start, end: parts.end, secret, salt: parts.salt, userId: policy.userId }),
      'hex',
    );
    // Every secret is compared, so timing does not tell which one matched.
    if (timingSafeEqual(presented, expected)) matched = true;
  }
  if (!matched) return 'invalid';
  const lifetime = parts.end - parts.start;
  if (lifetime <= 0 || lifetime > policy.maxLifetimeSeconds) return 'invalid';
  if (parts.start > policy.nowSeconds + policy.skewSeconds) return 'invalid';
  if (parts.end < policy.nowSeconds) return 'expired';
  return 'valid';
}
