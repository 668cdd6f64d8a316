import { z } from 'zod';

/**
 * ECM payload (inside a `cas-studio/ecm/1` envelope): the control words of the current and next
 * crypto period of one channel. Each control word (16 bytes, the AES-128 key of the HLS segments)
 * is encrypted with `nacl.secretbox` (XSalsa20-Poly1305) under the 32-byte package key of every
 * package that carries the channel, for the package-key epoch in force at the period's start.
 * All times are Unix seconds.
 */
export const ecmKeySchema = z.object({
  package: z.string(),
  epoch: z.number().int(),
  /** 24-byte secretbox nonce, base64. */
  nonce: z.string(),
  /** secretbox(controlWord, nonce, packageKey), base64 (16 + 16 bytes). */
  box: z.string(),
});

export const ecmPeriodSchema = z.object({
  period: z.number().int(),
  /** Manual ECM rotations add generations; the highest one is the key in use. */
  generation: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
  /** The 16-byte AES-CBC IV of the period's segments (EXT-X-KEY IV), hex. */
  iv: z.string(),
  keys: z.array(ecmKeySchema),
});

export const ecmPayloadSchema = z.object({
  type: z.literal('ecm'),
  channel: z.string(),
  issuedAt: z.number().int(),
  periodSeconds: z.number().int(),
  periods: z.array(ecmPeriodSchema),
});
export type EcmPayload = z.infer<typeof ecmPayloadSchema>;
export type EcmPeriod = z.infer<typeof ecmPeriodSchema>;
