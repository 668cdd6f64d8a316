import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { slugSchema } from './common';

/**
 * What an API key may do: `packager` fetches content keys for encoders; `admin-read` and
 * `admin-write` let scripts use the admin API as an observer or as an admin.
 */
export const apiKeyScopes = ['packager', 'admin-read', 'admin-write'] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

export const apiKeyCreateSchema = z
  .object({
    name: z.string().trim().min(1, 'Required').max(100, 'At most 100 characters'),
    scopes: z.array(apiKeyScopeSchema).min(1, 'Choose at least one scope'),
    /** The channels a packager key may fetch keys for; null (the default) for every channel. */
    channels: z.array(slugSchema).min(1, 'Name at least one channel, or none for every channel').max(1000, 'At most 1000 channels').nullable().default(null),
  })
  .strict()
  .refine((key) => key.channels === null || key.scopes.includes('packager'), {
    path: ['channels'],
    message: 'Only packager keys are limited to channels',
    params: issueCode('channels_only_for_packager_keys'),
  });

export const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  /** Channels the key's packager scope is limited to; null for every channel. */
  channels: z.array(z.string()).nullable(),
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The create answer: the only time the key itself is shown. */
export const apiKeyCreatedSchema = apiKeySchema.extend({ key: z.string() });
export type ApiKeyCreated = z.infer<typeof apiKeyCreatedSchema>;
