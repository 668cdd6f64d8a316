import { renameSync, rmSync } from 'node:fs';
import type { Db } from '../db/connection';
import { ensurePrivateFiles } from '../db/private-files';
import { verifyDatabaseCopy, type BackupFacts } from './backup-file';

/**
 * Copies the live database into `outFile` with SQLite's online backup API while the CAS keeps
 * serving (better-sqlite3 copies a batch of pages per event-loop turn, so decisions are not
 * paused), verifies the copy (`integrity_check`) and only then gives it its final name.
 */
export async function writeBackup(db: Db, outFile: string): Promise<BackupFacts> {
  const partial = `${outFile}.partial`;
  rmSync(partial, { force: true });
  ensurePrivateFiles(partial);
  try {
    await db.backup(partial);
    const facts = verifyDatabaseCopy(partial);
    renameSync(partial, outFile);
    return facts;
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    throw error;
  }
}
