import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  formatSecuretoken,
  parseSecuretoken,
  securetokenHashInput,
  type SecuretokenInput,
} from '../../src-shared/protocol/securetoken';

export type SignatureCheck = 'valid' | 'invalid' | 'expired';

/** A random salt as Astra's recipe makes it: `bin2hex(random_bytes(4))`. */
export function randomSalt(): string {
  return randomBytes(4).toString('hex');
}

/** sha1 over the securetoken input, lower-case hex. */
export function securetokenHash(input: SecuretokenInput): string {
  return createHash('sha1').update(securetokenHashInput(input), 'utf8').digest('hex');
}

/** `hash-salt-end-start` (Astra securetoken; Flussonic's is the same layout with an optional user id in the hash). */
export function signSecuretoken(input: Omit<SecuretokenInput, 'salt'> & { salt?: string }): string {
  const salt = input.salt ?? randomSalt();
  return formatSecuretoken({ hash: securetokenHash({ ...input, salt }), salt, end: input.end, start: input.start });
}

/**
 * Verifies a securetoken for any of `subjects` (e.g. channel id and channel path) and any of
 * `secrets` (current, then previous during the grace period). `skewSeconds` tolerates a start
 * time slightly in the future. Expiry is reported only for a token whose hash is right.
 */
export function verifySecuretoken(
  token: string,
  options: { subjects: readonly string[]; ip: string; secrets: readonly string[]; nowSeconds: number; skewSeconds: number; userId?: string },
): SignatureCheck {
  const parts = parseSecuretoken(token);
  if (!parts || options.secrets.length === 0) return 'invalid';
  const presented = Buffer.from(parts.hash, 'hex');
  let matched = false;
  for (const secret of options.secrets) {
    for (const subject of options.subjects) {
      const expected = Buffer.from(
        securetokenHash({ subject, ip: options.ip, start: parts.start, end: parts.end, secret, salt: parts.salt, userId: options.userId }),
        'hex',
      );
      // Every combination is computed and compared, so timing does not tell which one matched.
      if (timingSafeEqual(presented, expected)) matched = true;
    }
  }
  if (!matched) return 'invalid';
  if (parts.start > options.nowSeconds + options.skewSeconds) return 'invalid';
  if (parts.end < options.nowSeconds) return 'expired';
  return 'valid';
}
