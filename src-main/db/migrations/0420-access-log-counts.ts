import type { Migration } from '../migrate';

/**
 * Aggregated access log: identical decisions within a minute share one row with a count, so a
 * flood of refusals writes one row a minute instead of one per request. Existing rows count once.
 * (Numbered above every earlier migration: a database is only ever migrated upwards.)
 */
export const accessLogCountsMigration: Migration = {
  version: 420,
  name: 'access-log-counts',
  up(db) {
    db.exec('ALTER TABLE access_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1);');
  },
};
