import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { ApiError, type ErrorParams } from '../../src-shared/errors';
import type { Db } from '../db/connection';
import { migrations } from '../db/migrations';
import { assertMasterKeyFits, MasterKeyMismatchError, recordedKeyCheckValue } from '../crypto/master-key-check';
import { tableExists } from '../crypto/sealed-columns';

/** A file that must not become the CAS database, with the reason in words an operator can act on. */
type BackupProblem = 'backup_not_sqlite' | 'backup_integrity_failed' | 'backup_from_newer_release' | 'backup_not_cas_database' | 'backup_needs_other_master_key';

export class BackupRejectedError<C extends BackupProblem> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C> & { file: string }, reason: string) {
    super(422, code, params, `${params.file} cannot be restored: ${reason}; nothing was changed`, { field: 'backup' });
  }
}

/** What a verified backup file says about itself. */
export interface BackupFacts {
  bytes: number;
  schemaVersion: number;
  keyCheckValue: string | null;
}

const newestSchemaVersion = Math.max(...migrations.map((m) => m.version));

/**
 * Opens a database copy read-write, makes it one self-contained file (rollback journal, no WAL
 * beside it) and checks it is a sound CAS database this release can open; the copy's connection
 * is handed to `more` for further checks. Throws BackupRejectedError saying why not.
 */
export function verifyDatabaseCopy(file: string, more: (db: Db) => void = () => undefined): BackupFacts {
  let db: Db;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma('journal_mode = DELETE');
  } catch (error) {
    throw new BackupRejectedError('backup_not_sqlite', { file }, `it is not an SQLite database (${(error as Error).message})`);
  }
  let facts: Omit<BackupFacts, 'bytes'>;
  try {
    const integrity = db.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') throw new BackupRejectedError('backup_integrity_failed', { file }, `integrity_check failed: ${integrity}`);
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (schemaVersion > newestSchemaVersion) {
      throw new BackupRejectedError(
        'backup_from_newer_release',
        { file, schema: schemaVersion, known: newestSchemaVersion },
        `it was made by a newer release (schema ${schemaVersion}; this one knows up to ${newestSchemaVersion})`,
      );
    }
    if (schemaVersion === 0 || !tableExists(db, 'accounts')) throw new BackupRejectedError('backup_not_cas_database', { file }, 'it is not a CAS database');
    more(db);
    facts = { schemaVersion, keyCheckValue: recordedKeyCheckValue(db) };
  } finally {
    db.close();
  }
  return { ...facts, bytes: statSync(file).size };
}

/** Verifies a backup before restore, including that `masterKey` opens it (by KCV or sealed values). */
export function verifyRestorable(file: string, masterKey: Buffer, keyDescription: string): BackupFacts {
  return verifyDatabaseCopy(file, (db) => {
    try {
      assertMasterKeyFits(db, masterKey, keyDescription);
    } catch (error) {
      if (error instanceof MasterKeyMismatchError) throw new BackupRejectedError('backup_needs_other_master_key', { file }, `it needs another master key. ${error.message}`);
      throw error;
    }
  });
}

/** Reads a backup's facts without changing it (for the list). */
export function readBackupFacts(file: string): BackupFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return { bytes: statSync(file).size, schemaVersion: db.pragma('user_version', { simple: true }) as number, keyCheckValue: recordedKeyCheckValue(db) };
  } finally {
    db.close();
  }
}
