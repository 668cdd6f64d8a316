import type { Migration } from '../migrate';

/**
 * Devices (set-top boxes, player apps): their X25519 keys, bearer sessions, the nonce replay
 * store of the HMAC sign-in, the CAS signing key pair, channel watermarks and uploaded logos.
 */
export const devicesMigration: Migration = {
  version: 300,
  name: 'devices',
  up(db) {
    db.exec(`
      -- The device's X25519 public key (32 bytes) for its EMM sealed boxes, registered at sign-in.
      ALTER TABLE devices ADD COLUMN box_public_key BLOB;
      ALTER TABLE devices ADD COLUMN box_key_registered_at INTEGER;

      CREATE TABLE device_sessions (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        device_id INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        ip TEXT
      );
      CREATE INDEX device_sessions_by_expiry ON device_sessions(expires_at);
      CREATE INDEX device_sessions_by_account ON device_sessions(account_id, created_at);
      CREATE INDEX device_sessions_by_device ON device_sessions(device_id);

      -- Nonces of accepted sign-ins, kept until their timestamp has left the window.
      CREATE TABLE device_nonces (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, nonce)
      ) WITHOUT ROWID;
      CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at);

      -- The CAS ed25519 key pair that signs every ECM and EMM; the 32-byte seed is sealed.
      CREATE TABLE cas_signing_keys (
        id INTEGER PRIMARY KEY,
        public_key BLOB NOT NULL,
        seed_sealed BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        retired_at INTEGER
      );

      -- Per-channel watermark overrides; NULL inherits the default from the settings.
      ALTER TABLE channels ADD COLUMN watermark_enabled INTEGER CHECK (watermark_enabled IN (0, 1));
      ALTER TABLE channels ADD COLUMN watermark_template TEXT;
      ALTER TABLE channels ADD COLUMN watermark_position TEXT;
      ALTER TABLE channels ADD COLUMN watermark_opacity REAL;
      ALTER TABLE channels ADD COLUMN watermark_size REAL;
      ALTER TABLE channels ADD COLUMN watermark_move_seconds INTEGER;

      CREATE TABLE channel_logos (
        channel_id TEXT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        data BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
