import Database from 'better-sqlite3';
import { ensurePrivateFiles } from './private-files';

export type Db = Database.Database;

/**
 * Opens the CAS database with the settings every connection needs: WAL so readers never wait
 * for the writer, foreign keys enforced, FULL sync because a lost write can lose a key, and the
 * files readable by the owner only.
 */
export function openDatabase(file: string): Db {
  // Owner-only before SQLite opens it, so the WAL and shared-memory files inherit that mode.
  if (file !== ':memory:') ensurePrivateFiles(file, `${file}-wal`, `${file}-shm`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
