import { z } from 'zod';
import { slugSchema } from './common';
import { hlsPathParamsSchema } from './keys';

/**
 * DASH with Common Encryption: the CENC keys a packager gets, the `/dash/...` paths (the same
 * canonical relative paths below the channel origin as `/hls/...`), and W3C ClearKey licenses.
 */

/** One CENC key as a packager needs it (ffmpeg `encryption_key` / `encryption_kid`). */
export const packagerCencKeySchema = z.object({
  /** The control word this key belongs to (`2941234` or `2941234-1`): name the DASH Period after it. */
  keyId: z.string(),
  /** 32 hex digits. */
  kid: z.string(),
  /** 32 hex digits (AES-128, CTR mode: `cenc-aes-ctr`). */
  key: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
});
export type PackagerCencKey = z.infer<typeof packagerCencKeySchema>;

export const packagerCencSchema = z.object({
  channel: z.string(),
  cryptoPeriodSeconds: z.number().int(),
  serverTime: z.string(),
  current: packagerCencKeySchema,
  next: packagerCencKeySchema,
});

/** `/dash/<channel>/<path>`: a manifest (`*.mpd`) or a segment of a folder origin. */
export const dashPathParamsSchema = hlsPathParamsSchema;

export const clearKeyParamsSchema = z.object({ channel: slugSchema });

/** A KID in a ClearKey license request: 16 bytes, base64url without padding (22 characters). */
const base64UrlKidSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'A key ID: 16 bytes in base64url without padding');

/** W3C EME ClearKey license request (`{"kids": [...], "type": "temporary"}`). */
export const clearKeyLicenseRequestSchema = z.object({
  kids: z.array(base64UrlKidSchema).min(1).max(16),
  type: z.enum(['temporary', 'persistent-license']).default('temporary'),
});
export type ClearKeyLicenseRequest = z.infer<typeof clearKeyLicenseRequestSchema>;

/** W3C EME ClearKey license: a JSON Web Key Set of `oct` keys. */
export const clearKeyLicenseSchema = z.object({
  keys: z.array(z.object({ kty: z.literal('oct'), k: z.string(), kid: z.string() })),
  type: z.string(),
});
