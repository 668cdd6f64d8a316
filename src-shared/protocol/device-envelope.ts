import { z } from 'zod';
import { concatBytes, utf8Encode } from './device-encoding';

/**
 * The signed envelope of ECMs and EMMs:
 *
 *   {"format": "cas-studio/ecm/1", "keyId": "<16 hex>", "payload": "<base64>", "signature": "<base64>"}
 *
 * `payload` is the UTF-8 JSON document; `signature` is ed25519 (64 bytes) by the CAS signing key
 * over  UTF-8(format) || 0x0A || payload bytes  — the format name is signed too, so an EMM can
 * never pass as an ECM. `keyId` = first 16 hex digits of SHA-256 of the raw 32-byte public key.
 */
export const ECM_FORMAT = 'cas-studio/ecm/1';
export const EMM_FORMAT = 'cas-studio/emm/1';
export type EnvelopeFormat = typeof ECM_FORMAT | typeof EMM_FORMAT;

export const signedEnvelopeSchema = z.object({
  format: z.enum([ECM_FORMAT, EMM_FORMAT]),
  keyId: z.string(),
  payload: z.string(),
  signature: z.string(),
});
export type SignedEnvelope = z.infer<typeof signedEnvelopeSchema>;

/** The bytes the signature covers. */
export function envelopeSignedBytes(format: EnvelopeFormat, payload: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(format), new Uint8Array([0x0a]), payload);
}
