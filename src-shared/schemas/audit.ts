import { z } from 'zod';
import { isoDateTimeSchema, pageQuerySchema } from './common';

/**
 * Every action the audit log records: the filter offers exactly these, and `recordAudit` takes
 * nothing else (a new action is added here, with its label in the renderer's texts).
 */
export const auditActionValues = [
  'account.create',
  'account.update',
  /** Written by earlier releases, one per account a configuration import overwrote (now one `config.import`). */
  'account.replace',
  'account.delete',
  'account.token.regenerate',
  'account.device.unbind',
  'account.import',
  'account.bulk.enable',
  'account.bulk.disable',
  'account.bulk.delete',
  'account.bulk.extend',
  'account.bulk.addPackage',
  'account.bulk.removePackage',
  'package.create',
  'package.update',
  'package.delete',
  'channel.create',
  'channel.update',
  'channel.delete',
  'channel.logo.upload',
  'channel.logo.delete',
  'settings.update',
  'config.import',
  'api-key.create',
  'api-key.revoke',
  'access.allow.add',
  'access.allow.remove',
  'access.deny.add',
  'access.deny.remove',
  'access.suspend',
  'access.suspension.lift',
  'access.sharing.flag',
  'access.sharing.suspend',
  'access.sharing.resolve',
  'session.end',
  'device.session.revoke',
  'device.session.revoke-all',
  'keys.rotate',
  'admin.login',
  'admin.lockout',
] as const;
export const auditActionSchema = z.enum(auditActionValues);
export type AuditAction = z.infer<typeof auditActionSchema>;

/**
 * One field an update changed. A secret (password, token, signing secret) carries neither value:
 * only that it changed.
 */
export const auditChangeSchema = z.union([
  z.object({ field: z.string(), before: z.unknown(), after: z.unknown() }),
  z.object({ field: z.string(), secret: z.literal(true) }),
]);
export type AuditChange = z.infer<typeof auditChangeSchema>;

/** How many subject names (usernames of a bulk action or import) an entry of the list carries. */
export const AUDIT_SUBJECTS_PREVIEW = 10;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.number().int().nullable(),
  actorName: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
  /** Field-by-field changes of an update; empty for other actions. */
  changes: z.array(auditChangeSchema),
  /** Accounts a bulk action or import touched: how many, and the first few usernames. */
  subjectCount: z.number().int(),
  subjectsPreview: z.array(z.string()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Every subject of one entry (the download behind "and 9,990 more"). */
export const auditSubjectsSchema = z.object({ id: z.number().int(), action: z.string(), subjects: z.array(z.string()) });
export type AuditSubjects = z.infer<typeof auditSubjectsSchema>;

export const auditListQuerySchema = pageQuerySchema.extend({
  action: auditActionSchema.optional(),
  actor: z.string().trim().max(64).optional(),
  targetType: z.string().trim().max(64).optional(),
  targetId: z.string().trim().max(128).optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
