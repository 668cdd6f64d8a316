import type { Migration } from '../migrate';

/**
 * Streaming access control: per-channel URL signing and stream base URL, IP allow/deny lists,
 * viewing sessions, the access log with hourly roll-ups, viewer peaks, sharing flags and suspensions.
 */
export const accessMigration: Migration = {
  version: 100,
  name: 'access',
  up(db) {
    db.exec(`
      ALTER TABLE channels ADD COLUMN url_signing TEXT NOT NULL DEFAULT 'token'
        CHECK (url_signing IN ('token', 'astra-id', 'astra-path', 'flussonic', 'nginx-secure-link'));
      ALTER TABLE channels ADD COLUMN stream_base_url TEXT;

      CREATE TABLE ip_rules (
        id INTEGER PRIMARY KEY,
        list TEXT NOT NULL CHECK (list IN ('allow', 'deny')),
        range TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        UNIQUE (list, range)
      );

      -- One row per (account, channel, server session id or IP + user agent). The live state is kept
      -- in memory by the decision engine and written here in batches.
      CREATE TABLE viewing_sessions (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL,
        username TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        session_key TEXT NOT NULL,
        source TEXT NOT NULL,
        ip TEXT NOT NULL,
        user_agent TEXT,
        started_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT,
        banned_until INTEGER,
        requests INTEGER NOT NULL DEFAULT 1,
        bytes INTEGER
      );
      CREATE INDEX viewing_sessions_active ON viewing_sessions(started_at) WHERE ended_at IS NULL;
      CREATE INDEX viewing_sessions_by_account ON viewing_sessions(account_id, started_at);
      CREATE INDEX viewing_sessions_by_channel ON viewing_sessions(channel_id, started_at);
      CREATE INDEX viewing_sessions_by_ip ON viewing_sessions(ip, started_at);
      CREATE INDEX viewing_sessions_by_started ON viewing_sessions(started_at);
      CREATE INDEX viewing_sessions_by_last_seen ON viewing_sessions(last_seen_at);
      CREATE INDEX viewing_sessions_banned ON viewing_sessions(banned_until) WHERE banned_until IS NOT NULL;

      CREATE TABLE access_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('allow', 'deny')),
        reason TEXT,
        rule TEXT,
        account_id INTEGER,
        username TEXT,
        channel_id TEXT,
        ip TEXT NOT NULL,
        source TEXT NOT NULL,
        session_id INTEGER
      );
      CREATE INDEX access_log_by_at ON access_log(at);
      CREATE INDEX access_log_by_account ON access_log(account_id, at);
      CREATE INDEX access_log_by_channel ON access_log(channel_id, at);
      CREATE INDEX access_log_by_ip ON access_log(ip, at);
      CREATE INDEX access_log_by_result ON access_log(result, at);
      CREATE INDEX access_log_by_reason ON access_log(reason, at);

      -- Decisions counted per hour, channel, result and reason (the dashboard reads these, not the log).
      CREATE TABLE access_hourly (
        hour INTEGER NOT NULL,
        channel_id TEXT NOT NULL,
        result TEXT NOT NULL,
        reason TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (hour, channel_id, result, reason)
      ) WITHOUT ROWID;

      -- Highest number of simultaneous sessions per hour: overall, per channel, per account.
      CREATE TABLE viewing_peaks (
        kind TEXT NOT NULL CHECK (kind IN ('all', 'channel', 'account')),
        subject TEXT NOT NULL,
        hour INTEGER NOT NULL,
        peak INTEGER NOT NULL,
        PRIMARY KEY (kind, subject, hour)
      ) WITHOUT ROWID;
      CREATE INDEX viewing_peaks_by_hour ON viewing_peaks(kind, hour);

      CREATE TABLE sharing_flags (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        detected_at INTEGER NOT NULL,
        window_minutes INTEGER NOT NULL,
        address_count INTEGER NOT NULL,
        evidence TEXT NOT NULL,
        suspended INTEGER NOT NULL CHECK (suspended IN (0, 1)),
        resolved_at INTEGER
      );
      CREATE INDEX sharing_flags_by_account ON sharing_flags(account_id, detected_at);
      CREATE INDEX sharing_flags_by_detected ON sharing_flags(detected_at);

      CREATE TABLE account_suspensions (
        account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        since INTEGER NOT NULL,
        reason TEXT NOT NULL,
        flag_id INTEGER
      );
    `);
  },
};
