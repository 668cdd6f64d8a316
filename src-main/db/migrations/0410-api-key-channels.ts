import type { Migration } from '../migrate';

/** Packager API keys limited to channels: a JSON array of channel ids, NULL for every channel. */
export const apiKeyChannelsMigration: Migration = {
  version: 410,
  name: 'api-key-channels',
  up(db) {
    db.exec('ALTER TABLE api_keys ADD COLUMN channels TEXT');
  },
};
