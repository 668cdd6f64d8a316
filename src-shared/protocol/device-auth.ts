import { z } from 'zod';
import { base64ToBytes } from './device-encoding';
import { renderedWatermarkSchema } from '../schemas/devices-watermarks';

/**
 * Device sign-in (reference manual: "token + HWID with HMAC signature").
 *
 *   POST /api/v1/client/auth  {username, hwid, ts, nonce, sig, devicePublicKey?}
 *   sig = hex(HMAC-SHA256(key = UTF-8 of the account token,
 *                         message = UTF-8 of username "\n" hwid "\n" ts "\n" nonce))
 *
 * `ts` is Unix seconds (decimal, as sent); the CAS accepts |now − ts| ≤ the window (300 s by
 * default) and each nonce once. See docs/protocol.md.
 */
export const DEVICE_AUTH_PATH = '/api/v1/client/auth';
export const DEVICE_EMM_PATH = '/api/v1/client/emm';
export const DEVICE_STREAM_INFO_PATH = '/api/v1/client/stream-info';
export const deviceEcmPath = (channelId: string) => `/api/v1/client/ecm/${encodeURIComponent(channelId)}`;

/** The exact bytes (as UTF-8) the HMAC covers. */
export function deviceAuthMessage(username: string, hwid: string, ts: number, nonce: string): string {
  return `${username}\n${hwid}\n${ts}\n${nonce}`;
}

/** Printable ASCII without line breaks, so the signed message stays unambiguous. */
export const hwidSchema = z
  .string()
  .min(1, 'Required')
  .max(128, 'At most 128 characters')
  .regex(/^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/, 'Printable ASCII, no line breaks, no leading or trailing spaces');

export const deviceNonceSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, '16 to 64 characters of A-Z a-z 0-9 - _');

/** A 32-byte X25519 public key in standard base64. */
export const boxPublicKeySchema = z.string().refine((text) => base64ToBytes(text)?.length === 32, 'A 32-byte X25519 public key in base64');

export const deviceAuthRequestSchema = z
  .object({
    username: z.string().min(1, 'Required').max(64, 'At most 64 characters').regex(/^[^\n]*$/, 'No line breaks'),
    hwid: hwidSchema,
    ts: z.number().int('Whole Unix seconds').min(0).max(1e11),
    nonce: deviceNonceSchema,
    sig: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits of HMAC-SHA256'),
    devicePublicKey: boxPublicKeySchema.optional(),
  })
  .strict();
export type DeviceAuthRequest = z.infer<typeof deviceAuthRequestSchema>;

/** Refusal reasons of the device routes (in `error.reason`). */
export const deviceRefusalReasons = [
  'bad_credential',
  'ts_out_of_window',
  'replay',
  'device_limit',
  'disabled',
  'expired',
  'ip_denied',
  'ip_not_allowed',
  'suspended',
  'session_invalid',
  'no_device_key',
  'not_entitled',
  'channel_disabled',
] as const;
export type DeviceRefusalReason = (typeof deviceRefusalReasons)[number];

export const streamChannelSchema = z.object({
  id: z.string(),
  name: z.string(),
  number: z.number().int().nullable(),
  /** Absolute URL of the logo (uploaded logos are served by the CAS at /logos/<id>), or null. */
  logo: z.string().nullable(),
  /** The stream URL, signed for this device with the channel's scheme; null when no stream base URL is set. */
  streamUrl: z.string().nullable(),
  /** The HLS key URL of the current crypto period (`/keys/<channel>/<period>`). */
  keyUrl: z.string(),
  /** Where this channel's ECM is fetched. */
  ecmUrl: z.string(),
  cryptoPeriodSeconds: z.number().int(),
  packages: z.array(z.string()),
  /** null when the channel shows no watermark. */
  watermark: renderedWatermarkSchema.nullable(),
});
export type StreamChannel = z.infer<typeof streamChannelSchema>;

export const streamInfoSchema = z.object({
  /** Unix seconds when this answer was made. */
  generatedAt: z.number().int(),
  emmUrl: z.string(),
  channels: z.array(streamChannelSchema),
});
export type StreamInfo = z.infer<typeof streamInfoSchema>;

export const deviceAuthResponseSchema = z.object({
  session: z.object({
    /** Bearer token for the other device routes. */
    token: z.string(),
    expiresAt: z.string(),
    /** Seconds until it expires. */
    expiresIn: z.number().int(),
  }),
  /** Server time, Unix seconds. */
  serverTime: z.number().int(),
  /** The CAS ed25519 public key (32 bytes, base64) that signs every ECM and EMM. */
  casPublicKey: z.string(),
  device: z.object({ id: z.number().int(), hwid: z.string(), boxPublicKey: z.string().nullable() }),
  account: z.object({ username: z.string(), expiresAt: z.string().nullable() }),
  streamInfo: streamInfoSchema,
});
export type DeviceAuthResponse = z.infer<typeof deviceAuthResponseSchema>;
