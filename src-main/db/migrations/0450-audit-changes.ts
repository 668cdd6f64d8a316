import type { Migration } from '../migrate';

/**
 * The audit log's structure: `changes` holds an update's field-by-field diff (a JSON array of
 * `{ field, before, after }` or `{ field, secret: true }`), `subjects` the usernames a bulk action
 * or import touched (a JSON array, the whole list) and `subject_count` their number. Earlier rows
 * keep only their summary.
 */
export const auditChangesMigration: Migration = {
  version: 450,
  name: 'audit-changes',
  up(db) {
    db.exec(`
      ALTER TABLE audit_log ADD COLUMN changes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changes) AND json_type(changes) = 'array');
      ALTER TABLE audit_log ADD COLUMN subjects TEXT CHECK (subjects IS NULL OR (json_valid(subjects) AND json_type(subjects) = 'array'));
      ALTER TABLE audit_log ADD COLUMN subject_count INTEGER NOT NULL DEFAULT 0 CHECK (subject_count >= 0);
    `);
  },
};
