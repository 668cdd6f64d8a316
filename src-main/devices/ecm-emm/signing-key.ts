import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { CasContext } from '../../kernel/context';
import { statement } from '../../db/statements';
import { bytesToBase64 } from '../../../src-shared/protocol/device-encoding';
import { signingSeedAad } from '../../crypto/sealing-aad';

interface SigningKeyRow {
  id: number;
  public_key: Buffer;
  seed_sealed: Buffer;
}

/**
 * The CAS ed25519 key pair that signs every ECM and EMM. Created once, its 32-byte seed sealed
 * under the master key; signing goes through node:crypto (about a hundred times faster than
 * tweetnacl's pure-JS signer here) and gives the same signatures tweetnacl verifies.
 */
export class CasSigningKey {
  readonly id: number;
  /** Raw 32-byte public key. */
  readonly publicKey: Buffer;
  readonly publicKeyBase64: string;
  /** First 16 hex digits of SHA-256 of the raw public key. */
  readonly keyId: string;
  readonly #privateKey: KeyObject;

  constructor(ctx: CasContext) {
    const row = CasSigningKey.#loadOrCreate(ctx);
    const seed = ctx.vault.open(row.seed_sealed, signingSeedAad(row.id));
    this.#privateKey = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: row.public_key.toString('base64url') },
      format: 'jwk',
    });
    seed.fill(0);
    this.id = row.id;
    this.publicKey = row.public_key;
    this.publicKeyBase64 = bytesToBase64(row.public_key);
    this.keyId = createHash('sha256').update(row.public_key).digest('hex').slice(0, 16);
  }

  sign(message: Uint8Array): Buffer {
    return sign(null, message, this.#privateKey);
  }

  static #loadOrCreate(ctx: CasContext): SigningKeyRow {
    const { db, vault, clock } = ctx;
    return db.transaction(() => {
      const existing = statement(db, 'SELECT * FROM cas_signing_keys WHERE retired_at IS NULL ORDER BY id DESC LIMIT 1').get() as
        | SigningKeyRow
        | undefined;
      if (existing) return existing;
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d!, 'base64url');
      const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
      const id = Number(
        (statement(db, 'SELECT coalesce(max(id), 0) + 1 AS id FROM cas_signing_keys').get() as { id: number }).id,
      );
      statement(db, 'INSERT INTO cas_signing_keys (id, public_key, seed_sealed, created_at) VALUES (?, ?, ?, ?)').run(
        id,
        raw,
        vault.seal(seed, signingSeedAad(id)),
        clock.now(),
      );
      seed.fill(0);
      ctx.logger.info({ keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16) }, 'CAS signing key created');
      return statement(db, 'SELECT * FROM cas_signing_keys WHERE id = ?').get(id) as SigningKeyRow;
    }).immediate();
  }
}
