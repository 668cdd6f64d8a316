import type { Migration } from '../migrate';

/** Subscribers, their devices, packages, channels, admin sessions, API keys, settings and audit. */
export const coreMigration: Migration = {
  version: 10,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL COLLATE NOCASE UNIQUE,
        password_hash TEXT,
        role TEXT NOT NULL CHECK (role IN ('admin', 'observer', 'user')),
        comment TEXT NOT NULL DEFAULT '',
        email TEXT,
        token_hash TEXT NOT NULL UNIQUE,
        token_sealed BLOB NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        expires_at INTEGER,
        max_connections INTEGER NOT NULL DEFAULT 1,
        max_devices INTEGER NOT NULL DEFAULT 1,
        allowed_ips TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX accounts_by_role ON accounts(role, username);
      CREATE INDEX accounts_by_created ON accounts(created_at);
      CREATE INDEX accounts_by_expiry ON accounts(expires_at);
      CREATE INDEX accounts_by_enabled ON accounts(enabled, username);

      -- Substring search over username, e-mail and comment without a scan.
      CREATE VIRTUAL TABLE accounts_fts USING fts5(
        username, email, comment, content='accounts', content_rowid='id', tokenize='trigram'
      );
      CREATE TRIGGER accounts_fts_insert AFTER INSERT ON accounts BEGIN
        INSERT INTO accounts_fts(rowid, username, email, comment) VALUES (new.id, new.username, new.email, new.comment);
      END;
      CREATE TRIGGER accounts_fts_delete AFTER DELETE ON accounts BEGIN
        INSERT INTO accounts_fts(accounts_fts, rowid, username, email, comment)
          VALUES ('delete', old.id, old.username, old.email, old.comment);
      END;
      CREATE TRIGGER accounts_fts_update AFTER UPDATE OF username, email, comment ON accounts BEGIN
        INSERT INTO accounts_fts(accounts_fts, rowid, username, email, comment)
          VALUES ('delete', old.id, old.username, old.email, old.comment);
        INSERT INTO accounts_fts(rowid, username, email, comment) VALUES (new.id, new.username, new.email, new.comment);
      END;

      -- Row counts kept by triggers, so the unfiltered list total is not a scan of a million rows.
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO counters(name, value) VALUES ('accounts', 0);
      CREATE TRIGGER accounts_count_insert AFTER INSERT ON accounts BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'accounts';
      END;
      CREATE TRIGGER accounts_count_delete AFTER DELETE ON accounts BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'accounts';
      END;

      CREATE TABLE devices (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        hwid TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        last_ip TEXT,
        UNIQUE (account_id, hwid)
      );
      CREATE INDEX devices_by_hwid ON devices(hwid);

      CREATE TABLE packages (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE account_packages (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
        PRIMARY KEY (account_id, package_id)
      ) WITHOUT ROWID;
      CREATE INDEX account_packages_by_package ON account_packages(package_id, account_id);

      CREATE TABLE channels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        number INTEGER,
        logo TEXT,
        stream_path TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX channels_by_number ON channels(number, id);

      CREATE TABLE channel_packages (
        channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        package_id TEXT NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
        PRIMARY KEY (channel_id, package_id)
      ) WITHOUT ROWID;
      CREATE INDEX channel_packages_by_package ON channel_packages(package_id, channel_id);

      CREATE TABLE admin_sessions (
        token_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        ip TEXT
      ) WITHOUT ROWID;
      CREATE INDEX admin_sessions_by_expiry ON admin_sessions(expires_at);
      CREATE INDEX admin_sessions_by_account ON admin_sessions(account_id);

      CREATE TABLE login_failures (
        username TEXT PRIMARY KEY COLLATE NOCASE,
        failures INTEGER NOT NULL,
        first_failed_at INTEGER NOT NULL,
        locked_until INTEGER
      ) WITHOUT ROWID;

      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Write-only secrets, sealed under the master key; the previous value is kept for a grace period.
      CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        current_sealed BLOB NOT NULL,
        previous_sealed BLOB,
        rotated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id INTEGER,
        actor_name TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT,
        summary TEXT NOT NULL
      );
      CREATE INDEX audit_by_at ON audit_log(at);
      CREATE INDEX audit_by_action ON audit_log(action, at);
      CREATE INDEX audit_by_actor ON audit_log(actor_name, at);
      CREATE INDEX audit_by_target ON audit_log(target_type, target_id, at);
    `);
    // The three packages of the reference manual; operators rename, extend or delete them.
    const now = Date.now();
    const seed = db.prepare('INSERT INTO packages (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    seed.run('basic', 'Basic', '', now, now);
    seed.run('basic-plus', 'Basic+', '', now, now);
    seed.run('premium', 'Premium', '', now, now);
  },
};
