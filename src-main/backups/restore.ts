import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateFiles } from '../db/private-files';
import { verifyRestorable, type BackupFacts } from './backup-file';

export interface RestoreResult extends BackupFacts {
  /** The database that was replaced, kept beside it (null when there was none). */
  previous: string | null;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/**
 * Replaces the data folder's `cas.db` by a backup, the CAS being stopped (the caller holds the
 * data folder's lock). The backup is copied into the folder and verified there first (integrity,
 * schema version, master key); then the current database, its WAL folded in, is kept as
 * `cas.db.before-restore-<time>` by a hard link, and the copy renamed over `cas.db` — one atomic
 * step, so the folder holds either the old database or the restored one, never a mix.
 */
export function restoreDatabase(dataDir: string, from: string, masterKey: Buffer, keyDescription: string, now: number): RestoreResult {
  const databaseFile = join(dataDir, 'cas.db');
  const incoming = join(dataDir, 'cas.db.restoring');
  rmSync(incoming, { force: true });
  ensurePrivateFiles(incoming);
  let facts: BackupFacts;
  try {
    copyFileSync(from, incoming);
    facts = verifyRestorable(incoming, masterKey, keyDescription);
    fsyncPath(incoming);
  } catch (error) {
    rmSync(incoming, { force: true });
    rmSync(`${incoming}-journal`, { force: true });
    throw error;
  }
  let previous: string | null = null;
  if (existsSync(databaseFile)) {
    foldWal(databaseFile);
    previous = `${databaseFile}.before-restore-${timestamp(now)}`;
    linkSync(databaseFile, previous);
    // A WAL left beside cas.db would be replayed into the restored database: it goes with the old one.
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(databaseFile + suffix)) renameSync(databaseFile + suffix, previous + suffix);
    }
  }
  renameSync(incoming, databaseFile);
  fsyncPath(dirname(databaseFile));
  return { ...facts, previous };
}

/** Checkpoints the current database's WAL into it, so the kept copy is whole; best effort. */
function foldWal(databaseFile: string): void {
  try {
    const db = new Database(databaseFile, { timeout: 0 });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // A damaged current database is kept as it is, WAL and all.
  }
}
