import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

/** scrypt cost of the key-wrapping key (OWASP's N=2^17, r=8, p=1: about half a second here). */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/);

/** The passphrase-protected master key file: only the wrapped key, never the passphrase. */
export const wrappedKeyFileSchema = z
  .object({
    version: z.literal(1),
    kdf: z.literal('scrypt'),
    // Bounded so that a tampered file cannot make the app allocate gigabytes.
    N: z.number().int().min(2 ** 14).max(2 ** 20),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: base64,
    iv: base64,
    tag: base64,
    wrappedKey: base64,
  })
  .strict();
type WrappedKeyFile = z.infer<typeof wrappedKeyFileSchema>;

export class WrongPassphraseError extends Error {
  constructor() {
    super('Wrong passphrase');
  }
}

const WRAP_CONTEXT = Buffer.from('iptv-cas-studio master key v1');

function deriveWrappingKey(passphrase: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Wraps a 32-byte master key with AES-256-GCM under a key derived from the passphrase. */
export async function wrapKeyWithPassphrase(key: Buffer, passphrase: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<WrappedKeyFile> {
  if (key.length !== 32) throw new Error('The master key must be 32 bytes');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const wrappingKey = await deriveWrappingKey(passphrase, salt, params);
  try {
    const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv);
    cipher.setAAD(WRAP_CONTEXT);
    const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
    return {
      version: 1,
      kdf: 'scrypt',
      ...params,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      wrappedKey: wrapped.toString('base64'),
    };
  } finally {
    wrappingKey.fill(0);
  }
}

/** Unwraps the master key; a wrong passphrase (or a tampered file) throws `WrongPassphraseError`. */
export async function unwrapKeyWithPassphrase(file: WrappedKeyFile, passphrase: string): Promise<Buffer> {
  const wrappingKey = await deriveWrappingKey(passphrase, Buffer.from(file.salt, 'base64'), file);
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(WRAP_CONTEXT);
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    const key = Buffer.concat([decipher.update(Buffer.from(file.wrappedKey, 'base64')), decipher.final()]);
    if (key.length !== 32) throw new WrongPassphraseError();
    return key;
  } catch (error) {
    if (error instanceof WrongPassphraseError) throw error;
    throw new WrongPassphraseError();
  } finally {
    wrappingKey.fill(0);
  }
}
