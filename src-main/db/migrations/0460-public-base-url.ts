import type { Migration } from '../migrate';

/**
 * `keysPublicUrl` (key URIs only) became `publicBaseUrl`, the base of every link handed to devices.
 * A stored value moves over; one with a path, which the new setting refuses, falls back to unset.
 */
export const publicBaseUrlMigration: Migration = {
  version: 460,
  name: 'public-base-url',
  up(db) {
    db.exec(`UPDATE settings SET key = 'publicBaseUrl'
      WHERE key = 'keysPublicUrl' AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'publicBaseUrl');
      DELETE FROM settings WHERE key = 'keysPublicUrl';`);
  },
};
