import { z } from 'zod';
import { accountListQuerySchema } from './accounts';

/**
 * Accounts as CSV: the columns an import reads and an export writes. An export can be imported
 * again: the export-only columns are ignored on import. Lists (packages, allowed IPs) are
 * separated by ";" inside one cell; `expiresAt` is an ISO 8601 date-time, a date alone (the end
 * of that day in the operator's time zone) or empty; `enabled` is true/false.
 * Cells that would start a spreadsheet formula carry a leading `'` in exports; imports remove it.
 */
export const accountCsvImportColumns = [
  'username',
  'password',
  'role',
  'packages',
  'maxConnections',
  'maxDevices',
  'expiresAt',
  'allowedIps',
  'email',
  'comment',
  'token',
  'enabled',
] as const;
export type AccountCsvImportColumn = (typeof accountCsvImportColumns)[number];

/** Columns an export writes that an import skips. */
export const accountCsvExportOnlyColumns = ['id', 'status', 'deviceCount', 'createdAt', 'updatedAt'] as const;

/** The export's columns in order (no password: only hashes are stored). */
export const accountCsvExportColumns = [
  'id',
  'username',
  'role',
  'status',
  'enabled',
  'packages',
  'maxConnections',
  'maxDevices',
  'expiresAt',
  'allowedIps',
  'email',
  'comment',
  'token',
  'deviceCount',
  'createdAt',
  'updatedAt',
] as const;

/** Rows one import may hold; the JSON body limit (1 MB) usually ends it earlier. */
export const ACCOUNT_CSV_MAX_ROWS = 10_000;

export const accountCsvImportSchema = z
  .object({
    /** The file's text, with a header line naming the columns. */
    csv: z.string().min(1, 'The file is empty').max(1_000_000, 'At most 1 MB of CSV a time'),
    /** When true, only checks and reports; nothing is written. */
    dryRun: z.boolean().default(true),
    /** When committing: import the valid rows and skip the invalid ones (otherwise any invalid row refuses all). */
    skipInvalid: z.boolean().default(false),
  })
  .strict();
export type AccountCsvImport = z.input<typeof accountCsvImportSchema>;

/** A problem of the file or of one row: a code of the error catalogue with its params, like an API error. */
export const accountCsvProblemSchema = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** English sentence for logs and scripts; clients translate `code`. */
  message: z.string(),
});
export type AccountCsvProblem = z.infer<typeof accountCsvProblemSchema>;

export const accountCsvRowErrorSchema = accountCsvProblemSchema.extend({
  /** The column to blame (an account field name), or absent for the row as a whole. */
  field: z.string().optional(),
});

export const accountCsvRowResultSchema = z.object({
  /** 1-based line number in the file (the header is line 1). */
  line: z.number().int(),
  username: z.string(),
  ok: z.boolean(),
  errors: z.array(accountCsvRowErrorSchema),
});
export type AccountCsvRowResult = z.infer<typeof accountCsvRowResultSchema>;

export const accountCsvImportResultSchema = z.object({
  dryRun: z.boolean(),
  total: z.number().int(),
  valid: z.number().int(),
  invalid: z.number().int(),
  /** Accounts written (0 for a dry run). */
  created: z.number().int(),
  /** Problems with the file itself (unknown columns, no username column). */
  fileErrors: z.array(accountCsvProblemSchema),
  rows: z.array(accountCsvRowResultSchema),
});
export type AccountCsvImportResult = z.infer<typeof accountCsvImportResultSchema>;

/** The export takes the accounts list's filters (no paging: the whole filtered list). */
export const accountCsvExportQuerySchema = accountListQuerySchema.omit({ page: true, pageSize: true, sort: true, order: true });
export type AccountCsvExportQuery = z.input<typeof accountCsvExportQuerySchema>;
