import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { accountTokenSchema, accountUpdateSchema } from './accounts';
import { channelCreateSchema } from './channels';
import { packageCreateSchema } from './packages';
import { secretValueSchema, settingsPatchSchema, settingsSecretNames } from './settings';

/**
 * The configuration file that moves a CAS to a new machine (`cas-studio config export|import`,
 * `POST /api/admin/config/export|import`): packages, channels, accounts and settings in clear,
 * and in `sealed` — under a key derived from the operator's passphrase — what must not travel in
 * clear: account tokens and password hashes, and the settings' secrets when asked for.
 * `version` changes when the format does; an importer refuses versions it does not know.
 */
export const CONFIG_FORMAT = 'cas-studio-config';
export const CONFIG_VERSION = 1;

export const configPassphraseSchema = z.string().min(12, 'At least 12 characters').max(1024, 'At most 1024 characters');

const base64Schema = (min: number, max: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Base64')
    .refine((text) => text.length >= min && text.length <= max, { message: `Base64 of ${min} to ${max} characters`, params: issueCode('base64_length', { min, max }) });

/** scrypt parameters, bounded so a crafted file cannot ask for more than 256 MiB or N above 2^20. */
export const configKdfSchema = z
  .object({
    name: z.literal('scrypt'),
    N: z
      .number()
      .int()
      .min(2 ** 14)
      .max(2 ** 20)
      .refine((n) => (n & (n - 1)) === 0, { message: 'A power of two', params: issueCode('power_of_two_required') }),
    r: z.number().int().min(1).max(16),
    p: z.number().int().min(1).max(4),
    salt: base64Schema(22, 64),
  })
  .strict()
  .refine((kdf) => 128 * kdf.N * kdf.r * kdf.p <= 256 * 1024 * 1024, { message: 'At most 256 MiB of scrypt memory', path: ['N'], params: issueCode('scrypt_memory_too_large') });

export const configSealedSchema = z
  .object({
    kdf: configKdfSchema,
    cipher: z.literal('aes-256-gcm'),
    iv: base64Schema(16, 16),
    /** Ciphertext followed by the 16-byte GCM tag. */
    data: base64Schema(24, 64 * 1024 * 1024),
  })
  .strict();
export type ConfigSealed = z.infer<typeof configSealedSchema>;

export const configPackageSchema = packageCreateSchema.omit({ channels: true }).required();
/** A channel as created, packages included (the relation travels on the channel side only). */
export const configChannelSchema = channelCreateSchema.required().extend({
  // Files written before channel groups (migration 440) have none of these three.
  group: channelCreateSchema.shape.group,
  groupOrder: channelCreateSchema.shape.groupOrder.default(0),
  position: channelCreateSchema.shape.position,
});
/** An account without its secrets (token and password hash travel sealed). */
export const configAccountSchema = accountUpdateSchema.omit({ password: true }).required();

/**
 * Settings that earlier releases wrote under another name: old name → current name. They are read
 * as written (the sealed digest covers the file as exported) and applied under the current name.
 */
export const RENAMED_CONFIG_SETTINGS = { keysPublicUrl: 'publicBaseUrl' } as const;

/** The settings as the exporting CAS had them; secrets never travel here (they go sealed). */
export const configSettingsSchema = settingsPatchSchema.extend({ keysPublicUrl: settingsPatchSchema.shape.publicBaseUrl }).superRefine((settings, check) => {
  for (const name of settingsSecretNames) {
    if (settings[name] !== undefined) check.addIssue({ code: 'custom', path: [name], message: 'A secret travels sealed only', params: issueCode('secret_sealed_only') });
  }
});

export const configFileSchema = z
  .object({
    format: z.literal(CONFIG_FORMAT),
    version: z.literal(CONFIG_VERSION, { message: `This release reads version ${CONFIG_VERSION} of the format` }),
    exportedAt: z.string().max(64),
    exportedBy: z.string().max(200),
    packages: z.array(configPackageSchema).max(100_000),
    channels: z.array(configChannelSchema).max(100_000),
    accounts: z.array(configAccountSchema).max(2_000_000),
    settings: configSettingsSchema,
    /** Whether `sealed` holds the settings' secrets too. */
    includesSecrets: z.boolean(),
    sealed: configSealedSchema,
  })
  .strict();
export type ConfigFile = z.infer<typeof configFileSchema>;
export type ConfigFileInput = z.input<typeof configFileSchema>;

/** What `sealed` opens to. `digest` binds the clear part: a file edited after export is refused. */
export const configSealedPayloadSchema = z
  .object({
    digest: z.string().regex(/^[0-9a-f]{64}$/),
    accounts: z.array(z.object({ username: z.string(), token: accountTokenSchema, passwordHash: z.string().max(512).nullable() }).strict()),
    secrets: z.record(z.string(), secretValueSchema).nullable(),
  })
  .strict();
export type ConfigSealedPayload = z.infer<typeof configSealedPayloadSchema>;

export const configExportRequestSchema = z
  .object({
    passphrase: configPassphraseSchema,
    /** Put the settings' secrets (signing secrets, …) into the sealed part too. */
    includeSecrets: z.boolean().default(false),
  })
  .strict();
export type ConfigExportRequest = z.input<typeof configExportRequestSchema>;

export const configImportRequestSchema = z
  .object({
    file: configFileSchema,
    passphrase: configPassphraseSchema,
    /** true: report what would change and write nothing. */
    dryRun: z.boolean().default(true),
  })
  .strict();
export type ConfigImportRequest = z.input<typeof configImportRequestSchema>;

/** Counts, and the ids (usernames for accounts) of the first 200 rows created and updated. */
const changesSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  createdIds: z.array(z.string()),
  updatedIds: z.array(z.string()),
});
export type ConfigChanges = z.infer<typeof changesSchema>;

/** What an import did (or, in a dry run, would do). Nothing present here but absent from the file is deleted. */
export const configImportResultSchema = z.object({
  dryRun: z.boolean(),
  packages: changesSchema,
  channels: changesSchema,
  accounts: changesSchema,
  /** Names of the settings (and secrets) that change. */
  settings: z.array(z.string()),
});
export type ConfigImportResult = z.infer<typeof configImportResultSchema>;
