import { bytesToBase64, utf8Encode } from '../../../src-shared/protocol/device-encoding';
import { envelopeSignedBytes, type EnvelopeFormat, type SignedEnvelope } from '../../../src-shared/protocol/device-envelope';
import type { CasSigningKey } from './signing-key';

/** Serializes a payload and signs it into the envelope every ECM and EMM travels in. */
export function signEnvelope(key: CasSigningKey, format: EnvelopeFormat, payload: unknown): SignedEnvelope {
  const bytes = utf8Encode(JSON.stringify(payload));
  return {
    format,
    keyId: key.keyId,
    payload: bytesToBase64(bytes),
    signature: bytesToBase64(key.sign(envelopeSignedBytes(format, bytes))),
  };
}

/** A small bounded cache: the oldest entries go first once `max` is reached. */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value!);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
