import { z } from 'zod';

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
  })
  .strict();

export const apiKeySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  scopes: z.array(apiKeyScopeSchema),
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
