import { z } from 'zod';

/**
 * EMM payload (inside a `cas-studio/emm/1` envelope) for one device. The package keys travel in
 * `sealed`: a libsodium sealed box (`crypto_box_seal`: an ephemeral X25519 key, nonce =
 * BLAKE2b-192(ephemeral pk || device pk), then `crypto_box` = nacl.box) to the device's X25519
 * public key, holding the UTF-8 JSON of `emmSecretSchema`. Entitlement end dates are in clear.
 * Keys for the current and the next epoch of each package; a package whose entitlement ends
 * before the next epoch starts gets no next key. All times are Unix seconds.
 */
export const emmEntitlementSchema = z.object({
  package: z.string(),
  /** When the entitlement ends (the account's expiry), null when it does not. */
  until: z.number().int().nullable(),
});

export const emmPayloadSchema = z.object({
  type: z.literal('emm'),
  device: z.number().int(),
  hwid: z.string(),
  username: z.string(),
  issuedAt: z.number().int(),
  /** The device X25519 public key the box is sealed to, base64. */
  boxPublicKey: z.string(),
  entitlements: z.array(emmEntitlementSchema),
  /** crypto_box_seal(UTF-8 JSON of the secret part, device public key), base64. */
  sealed: z.string(),
});
export type EmmPayload = z.infer<typeof emmPayloadSchema>;

export const emmPackageKeySchema = z.object({
  package: z.string(),
  epoch: z.number().int(),
  start: z.number().int(),
  end: z.number().int(),
  /** The 32-byte package key (a secretbox key), base64. */
  key: z.string(),
});
export type EmmPackageKey = z.infer<typeof emmPackageKeySchema>;

export const emmSecretSchema = z.object({ keys: z.array(emmPackageKeySchema) });
export type EmmSecret = z.infer<typeof emmSecretSchema>;
