import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../../src-shared/errors';
import type { ConfigSealed } from '../../src-shared/schemas/config-transfer';

/** OWASP's scrypt parameters for a key from a passphrase (about half a second here). */
const TRANSPORT_KDF = { N: 2 ** 17, r: 8, p: 1 };
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function deriveKey(passphrase: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 256 * 1024 * 1024 + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Seals `plaintext` for transport under a key derived from the operator's passphrase
 * (scrypt, then AES-256-GCM with `associatedData`); the parameters travel with it.
 */
export async function sealWithPassphrase(plaintext: Buffer, passphrase: string, associatedData: string): Promise<ConfigSealed> {
  const salt = randomBytes(16);
  const key = await deriveKey(passphrase, salt, TRANSPORT_KDF);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  key.fill(0);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { kdf: { name: 'scrypt', ...TRANSPORT_KDF, salt: salt.toString('base64') }, cipher: 'aes-256-gcm', iv: iv.toString('base64'), data: data.toString('base64') };
}

/** Opens a sealed part; a wrong passphrase (or a changed file) is a 400 naming `passphrase`. */
export async function openWithPassphrase(sealed: ConfigSealed, passphrase: string, associatedData: string): Promise<Buffer> {
  const { N, r, p, salt } = sealed.kdf;
  const key = await deriveKey(passphrase, Buffer.from(salt, 'base64'), { N, r, p });
  const data = Buffer.from(sealed.data, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  key.fill(0);
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new ValidationError('wrong_passphrase', {}, 'passphrase: This passphrase does not open the file (or its sealed part was changed)', 'passphrase');
  }
}
