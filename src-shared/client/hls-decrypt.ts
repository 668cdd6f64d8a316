/**
 * Decrypts an HLS AES-128 segment (AES-128-CBC, PKCS#7 padding) with WebCrypto, which Node 20+
 * and every browser have as `globalThis.crypto.subtle`; no Node or DOM import is needed.
 */
interface SubtleLike {
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: 'AES-CBC' }, extractable: false, usages: ['decrypt']): Promise<unknown>;
  decrypt(algorithm: { name: 'AES-CBC'; iv: Uint8Array }, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

function subtle(): SubtleLike {
  const holder = globalThis as unknown as { crypto?: { subtle?: SubtleLike } };
  if (!holder.crypto?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available in this runtime');
  return holder.crypto.subtle;
}

/** The IV HLS uses when EXT-X-KEY names none: the media sequence number, big-endian, 16 bytes. */
export function ivFromSequenceNumber(sequence: number): Uint8Array {
  const iv = new Uint8Array(16);
  let value = BigInt(sequence);
  for (let i = 15; i >= 0 && value > 0n; i--) {
    iv[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return iv;
}

export async function decryptHlsSegment(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Promise<Uint8Array> {
  if (key.length !== 16 || iv.length !== 16) throw new Error('AES-128 needs a 16-byte key and a 16-byte IV');
  const api = subtle();
  const cryptoKey = await api.importKey('raw', key, { name: 'AES-CBC' }, false, ['decrypt']);
  return new Uint8Array(await api.decrypt({ name: 'AES-CBC', iv }, cryptoKey, data));
}
