import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { expiryInputSchema, ipRangeListSchema, pageQuerySchema, slugSchema, wholeNumberIn } from './common';
import { hwidSchema } from '../protocol/device-auth';

export const roles = ['admin', 'observer', 'user'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const accountStatuses = ['active', 'disabled', 'expired'] as const;
export const accountStatusSchema = z.enum(accountStatuses);
export type AccountStatus = z.infer<typeof accountStatusSchema>;

export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'At least 3 characters')
  .max(64, 'At most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'Letters, digits and . _ @ - only');

export const passwordSchema = z.string().min(8, 'At least 8 characters').max(256, 'At most 256 characters');

/** Account tokens are URL-safe so they can travel as `?token=`. */
export const accountTokenSchema = z
  .string()
  .trim()
  .min(32, 'At least 32 characters')
  .max(128, 'At most 128 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, "-" and "_" only');

const emailSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
  z.email('Not a valid e-mail address').max(254).nullable(),
);

/** 0 means "no limit" for maxConnections and maxDevices; anything outside 0–max is refused. */
const limitSchema = (max: number) => wholeNumberIn(0, max);

const accountFields = {
  username: usernameSchema,
  password: passwordSchema,
  role: roleSchema,
  packages: z.array(slugSchema).max(200),
  maxConnections: limitSchema(1000),
  maxDevices: limitSchema(100),
  expiresAt: expiryInputSchema.nullable(),
  allowedIps: ipRangeListSchema,
  email: emailSchema,
  comment: z.string().max(1000, 'At most 1000 characters'),
  token: accountTokenSchema,
  enabled: z.boolean(),
};

export const accountCreateSchema = z
  .object({
    username: accountFields.username,
    password: accountFields.password.optional(),
    role: accountFields.role.default('user'),
    packages: accountFields.packages.default([]),
    maxConnections: accountFields.maxConnections.default(1),
    maxDevices: accountFields.maxDevices.default(1),
    expiresAt: accountFields.expiresAt.optional().default(null),
    allowedIps: accountFields.allowedIps.default([]),
    email: accountFields.email.optional().default(null),
    comment: accountFields.comment.default(''),
    token: accountFields.token.optional(),
    /** A device (HWID) bound to the account from the start, as the manual's user form has it. */
    hwid: hwidSchema.optional(),
    enabled: accountFields.enabled.default(true),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.role !== 'user' && !value.password) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Admins and observers sign in with a password', params: issueCode('password_required_for_operator') });
    }
  });
export type AccountCreate = z.input<typeof accountCreateSchema>;
export type AccountCreateParsed = z.output<typeof accountCreateSchema>;

export const accountUpdateSchema = z
  .object({
    username: accountFields.username,
    password: accountFields.password,
    role: accountFields.role,
    packages: accountFields.packages,
    maxConnections: accountFields.maxConnections,
    maxDevices: accountFields.maxDevices,
    expiresAt: accountFields.expiresAt,
    allowedIps: accountFields.allowedIps,
    email: accountFields.email,
    comment: accountFields.comment,
    enabled: accountFields.enabled,
  })
  .partial()
  .strict();
export type AccountUpdate = z.input<typeof accountUpdateSchema>;

export const deviceSchema = z.object({
  id: z.number().int(),
  hwid: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  lastIp: z.string().nullable(),
});
export type Device = z.infer<typeof deviceSchema>;

export const accountSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  role: roleSchema,
  status: accountStatusSchema,
  enabled: z.boolean(),
  expiresAt: z.string().nullable(),
  maxConnections: z.number().int(),
  maxDevices: z.number().int(),
  allowedIps: z.array(z.string()),
  email: z.string().nullable(),
  comment: z.string(),
  packages: z.array(z.string()),
  /** The full token; present for admins only (observers see the preview). */
  token: z.string().optional(),
  tokenPreview: z.string(),
  hasPassword: z.boolean(),
  deviceCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof accountSchema>;

export const accountDetailSchema = accountSchema.extend({ devices: z.array(deviceSchema) });
export type AccountDetail = z.infer<typeof accountDetailSchema>;

export const accountSortFields = ['username', 'createdAt', 'expiresAt'] as const;

export const accountListQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(100).optional(),
  package: slugSchema.optional(),
  /** HWID prefix, any letter case. */
  hwid: z.string().trim().min(1).max(128).optional(),
  /** Token prefix (case-sensitive); the list shows each token's first characters to search for. */
  token: z.string().trim().min(1).max(128).optional(),
  role: roleSchema.optional(),
  status: accountStatusSchema.optional(),
  /** Enabled accounts whose expiry falls within the next N days (not yet expired). */
  expiresWithinDays: z.coerce.number().int().min(1).max(3650).optional(),
  sort: z.enum(accountSortFields).default('username'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type AccountListQuery = z.input<typeof accountListQuerySchema>;

/** Days a bulk "extend" adds. */
export const bulkExtendDaysSchema = wholeNumberIn(1, 3650);

/** Bulk actions over a set of accounts, applied in one transaction. */
export const accountBulkSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('enable'), ids: z.array(z.number().int().positive()).min(1).max(10000) }),
  z.object({ action: z.literal('disable'), ids: z.array(z.number().int().positive()).min(1).max(10000) }),
  z.object({ action: z.literal('delete'), ids: z.array(z.number().int().positive()).min(1).max(10000) }),
  z.object({
    action: z.literal('extend'),
    ids: z.array(z.number().int().positive()).min(1).max(10000),
    days: bulkExtendDaysSchema,
  }),
  z.object({
    action: z.literal('addPackage'),
    ids: z.array(z.number().int().positive()).min(1).max(10000),
    package: slugSchema,
  }),
  z.object({
    action: z.literal('removePackage'),
    ids: z.array(z.number().int().positive()).min(1).max(10000),
    package: slugSchema,
  }),
]);
export type AccountBulk = z.infer<typeof accountBulkSchema>;

export const accountBulkResultSchema = z.object({ affected: z.number().int() });
export type AccountBulkResult = z.infer<typeof accountBulkResultSchema>;
