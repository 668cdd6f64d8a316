import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';

/** Settings of scheduled backups (spread into `settingsSchema`). */
export const backupSettingsShape = {
  /** Absolute folder for backups; null keeps them in `backups/` of the data folder. */
  backupFolder: z
    .string()
    .max(4096)
    .refine((path) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path), { message: 'An absolute path', params: issueCode('absolute_path_required') })
    .nullable()
    .default(null),
  /** Hours between scheduled backups; 0 turns the schedule off. */
  backupIntervalHours: z.number().int().min(0).max(24 * 30).default(0),
  /** How many backups the schedule keeps in the folder (the oldest go first). */
  backupKeep: z.number().int().min(1).max(1000).default(7),
};

/** A backup file's name as the CAS writes it: nothing else is served or restored by name. */
export const backupNameSchema = z.string().regex(/^cas-\d{8}T\d{6}(\d{3})?Z\.db$/, 'A backup name such as cas-20250101T120000Z.db');

/** One verified backup file. */
export const backupInfoSchema = z.object({
  name: z.string(),
  bytes: z.number().int(),
  createdAt: z.string(),
  schemaVersion: z.number().int(),
  /** Key check value of the master key the backup needs (never the key). */
  keyCheckValue: z.string().nullable(),
});
export type BackupInfo = z.infer<typeof backupInfoSchema>;

export const backupListSchema = z.object({
  folder: z.string(),
  /** The key check value of the running CAS's master key, to compare with each backup's. */
  keyCheckValue: z.string(),
  items: z.array(backupInfoSchema),
});
export type BackupList = z.infer<typeof backupListSchema>;
