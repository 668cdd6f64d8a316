import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { accessSecretNames, accessSettingsShape } from './access-settings';
import { keysSecretNames, keysSettingsShape } from './keys-settings';
import { desktopSettingsShape } from './desktop-settings';
import { devicesSettingsShape } from './devices-settings';
import { backupSettingsShape } from './backups';
import { linksSettingsShape } from './links';
import { isTimeZone } from '../time/expiry';

/**
 * The settings document: one typed object, every field with a default, so a new release can add
 * fields without a migration. Each capability adds its own group of fields here.
 * Secrets are not part of it: they are write-only (see `settingsSecretNames`).
 */
const coreSettingsShape = {
  // Admin sign-in
  adminSessionHours: z.number().int().min(1).max(24 * 30).default(12),
  loginMaxAttempts: z.number().int().min(1).max(100).default(5),
  loginLockoutMinutes: z.number().int().min(1).max(24 * 60).default(15),
  /** Desktop shell: sign the operator on this machine in without a password. */
  desktopAutoLogin: z.boolean().default(false),
  /** The operator's IANA time zone: a typed expiry date ends at midnight there. */
  timeZone: z.string().trim().refine(isTimeZone, { message: 'Not a known IANA time zone, e.g. Europe/Berlin', params: issueCode('invalid_time_zone') }).default('UTC'),
};

/** Each capability adds its shape here (one spread line), defined in its own schema file. */
export const settingsSchema = z.object({
  ...coreSettingsShape,
  ...accessSettingsShape,
  ...keysSettingsShape,
  ...desktopSettingsShape,
  ...devicesSettingsShape,
  ...backupSettingsShape,
  ...linksSettingsShape,
});
export type Settings = z.infer<typeof settingsSchema>;

/** Names of write-only secrets kept in the settings; each capability adds its own. */
export const settingsSecretNames = [...accessSecretNames, ...keysSecretNames] as const satisfies readonly string[];
// e.g. `[...accessSecretNames, ...keySecretNames] as const` once capabilities add secrets.
export type SettingsSecretName = (typeof settingsSecretNames)[number];

export const secretValueSchema = z.string().min(16, 'At least 16 characters').max(256, 'At most 256 characters');

const secretsPatchShape = Object.fromEntries(
  settingsSecretNames.map((name) => [name, secretValueSchema.optional()]),
) as Record<SettingsSecretName, z.ZodOptional<typeof secretValueSchema>>;

// zod 4 keeps `.default()` inside `.partial()`: a patch would fill every omitted field with its
// default and reset it. So the patch is built from each field without its default (same static type).
const settingsPatchBase = z.object(
  Object.fromEntries(
    Object.entries(settingsSchema.shape).map(([name, field]) => [name, (field instanceof z.ZodDefault ? field.unwrap() : field).optional()]),
  ),
) as unknown as ReturnType<typeof settingsSchema.partial>;

export const settingsPatchSchema = settingsPatchBase.extend(secretsPatchShape).strict();
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

export const secretStatusSchema = z.object({
  set: z.boolean(),
  rotatedAt: z.string().nullable(),
});

export const settingsViewSchema = settingsSchema.extend({
  secrets: z.record(z.string(), secretStatusSchema),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;
