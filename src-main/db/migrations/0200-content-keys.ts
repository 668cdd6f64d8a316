import type { Migration } from '../migrate';

/**
 * Content keys: per-channel crypto period and HLS origin, control words per (channel, period),
 * package keys per (package, epoch), and the rotation history.
 */
export const contentKeysMigration: Migration = {
  version: 200,
  name: 'content-keys',
  up(db) {
    db.exec(`
      ALTER TABLE channels ADD COLUMN crypto_period_seconds INTEGER NOT NULL DEFAULT 600
        CHECK (crypto_period_seconds BETWEEN 2 AND 86400);
      -- Where /hls/<channel>/... reads playlists: an http(s) base URL or an absolute folder.
      ALTER TABLE channels ADD COLUMN hls_origin TEXT;

      -- One AES-128 key per (channel, period length, period number). A manual ECM rotation adds a
      -- generation for what was not served yet; older generations stay for segments already out.
      CREATE TABLE control_words (
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        period_seconds INTEGER NOT NULL,
        period INTEGER NOT NULL,
        generation INTEGER NOT NULL DEFAULT 0,
        key_sealed BLOB NOT NULL,
        iv BLOB NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (channel_id, period_seconds, period, generation)
      ) WITHOUT ROWID;
      CREATE INDEX control_words_by_end ON control_words(ends_at);
      CREATE INDEX control_words_by_channel_period ON control_words(channel_id, period, generation);

      -- Package (service) keys per key epoch; epochs are numbered per package, never reused.
      -- voided_at marks a prepared next epoch that a manual EMM rotation replaced before it began.
      CREATE TABLE package_keys (
        package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        key_sealed BLOB NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        voided_at INTEGER,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (package_id, epoch)
      ) WITHOUT ROWID;
      CREATE INDEX package_keys_by_start ON package_keys(package_id, starts_at);
      CREATE INDEX package_keys_by_end ON package_keys(ends_at);

      CREATE TABLE key_rotations (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ecm', 'emm')),
        trigger TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
        channel_id TEXT,
        package_id TEXT,
        period INTEGER,
        generation INTEGER,
        epoch INTEGER,
        starts_at INTEGER NOT NULL,
        actor TEXT NOT NULL
      );
      CREATE INDEX key_rotations_by_at ON key_rotations(at);
      CREATE INDEX key_rotations_by_kind ON key_rotations(kind, at);
      CREATE INDEX key_rotations_by_trigger ON key_rotations(trigger, at);
      CREATE INDEX key_rotations_by_channel ON key_rotations(channel_id, at);
      CREATE INDEX key_rotations_by_package ON key_rotations(package_id, at);
    `);
  },
};
