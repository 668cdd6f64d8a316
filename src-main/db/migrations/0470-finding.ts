import type { Migration } from '../migrate';

/**
 * What operators search and sort by:
 * - `accounts.token_prefix`: the first characters of the account token (the rest stays hashed and
 *   sealed), so the token filter can match a prefix through an index. Filled at start-up for rows
 *   that predate it (src-main/accounts/token-prefixes.ts), since the migration cannot open tokens.
 * - `devices_by_hwid_nocase`: HWID prefix search in any letter case, as a range over the index.
 * - `channels.group_name`, `group_order`, `position`: the channel's group in playlists
 *   (`group-title`), the group's place, and the channel's place inside its group.
 */
export const findingMigration: Migration = {
  version: 470,
  name: 'finding',
  up(db) {
    db.exec(`
      ALTER TABLE accounts ADD COLUMN token_prefix TEXT;
      CREATE INDEX accounts_by_token_prefix ON accounts(token_prefix);
      CREATE INDEX devices_by_hwid_nocase ON devices(hwid COLLATE NOCASE);
      ALTER TABLE channels ADD COLUMN group_name TEXT;
      ALTER TABLE channels ADD COLUMN group_order INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE channels ADD COLUMN position INTEGER;
    `);
  },
};
