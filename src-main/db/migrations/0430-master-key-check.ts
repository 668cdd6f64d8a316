import type { Migration } from '../migrate';

/**
 * The key check value of the master key this database's sealed values were sealed under (one
 * row), so start-up and restore can tell a wrong key before anything is written. Filled at the
 * first start after this migration (src-main/crypto/master-key-check.ts).
 */
export const masterKeyCheckMigration: Migration = {
  version: 430,
  name: 'master-key-check',
  up(db) {
    db.exec(`CREATE TABLE master_key_check (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      kcv TEXT NOT NULL CHECK (length(kcv) = 16),
      recorded_at INTEGER NOT NULL
    ) STRICT;`);
  },
};
