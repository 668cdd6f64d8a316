import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class VaultError extends Error {}

/**
 * Seals values stored in SQLite under the master key: AES-256-GCM, a fresh nonce per value,
 * and the row's identity as associated data, so a sealed value copied into another row
 * (or another column) no longer opens.
 * Layout: version (1 byte) | nonce (12) | ciphertext | tag (16).
 */
export class Vault {
  readonly #key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new VaultError('The master key must be 32 bytes');
    this.#key = Buffer.from(masterKey);
  }

  seal(plaintext: Buffer | string, associatedData: string): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
  }

  open(sealed: Buffer, associatedData: string): Buffer {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
      throw new VaultError('Sealed value is malformed');
    }
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new VaultError(`Sealed value does not open under this master key (${associatedData})`);
    }
  }

  openText(sealed: Buffer, associatedData: string): string {
    return this.open(sealed, associatedData).toString('utf8');
  }
}
