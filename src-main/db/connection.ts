import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * Opens the CAS database with the settings every connection needs: WAL so readers never wait
 * for the writer, foreign keys enforced, and FULL sync because a lost write can lose a key.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
