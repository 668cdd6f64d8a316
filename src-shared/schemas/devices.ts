import { z } from 'zod';
import { pageQuerySchema } from './common';

/** A device session as the admin API shows it (never the bearer token). */
export const deviceSessionSchema = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  username: z.string(),
  deviceId: z.number().int(),
  hwid: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastSeenAt: z.string(),
  ip: z.string().nullable(),
});
export type DeviceSession = z.infer<typeof deviceSessionSchema>;

export const deviceSessionListQuerySchema = pageQuerySchema.extend({
  accountId: z.coerce.number().int().positive().optional(),
  deviceId: z.coerce.number().int().positive().optional(),
});

/** Revokes every session of an account, or of one of its devices. */
export const deviceSessionRevokeSchema = z
  .object({
    accountId: z.number().int().positive(),
    deviceId: z.number().int().positive().optional(),
  })
  .strict();

export const casPublicKeySchema = z.object({
  /** Raw 32-byte ed25519 public key, base64. */
  publicKey: z.string(),
  keyId: z.string(),
  algorithm: z.literal('ed25519'),
});
