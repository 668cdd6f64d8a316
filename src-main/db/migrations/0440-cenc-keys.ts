import type { Migration } from '../migrate';

/**
 * CENC content keys (DASH/CMAF with Common Encryption): one key and key ID (KID) per control word
 * of a channel — (channel, period length, period, generation) — so they rotate with the channel's
 * key schedule and manual ECM rotations. Never the control word itself: HLS uses its key in CBC,
 * CENC in CTR mode. Looked up by KID for ClearKey licenses.
 */
export const cencKeysMigration: Migration = {
  version: 440,
  name: 'cenc-keys',
  up(db) {
    db.exec(`
      CREATE TABLE cenc_keys (
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        period_seconds INTEGER NOT NULL,
        period INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        kid BLOB NOT NULL UNIQUE CHECK (length(kid) = 16),
        key_sealed BLOB NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (channel_id, period_seconds, period, generation)
      ) WITHOUT ROWID;
      CREATE INDEX cenc_keys_by_end ON cenc_keys(ends_at);
    `);
  },
};
