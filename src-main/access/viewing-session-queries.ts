import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';

/** The owner of the `viewing_sessions` and `viewing_peaks` tables: every statement on them is here. */

const HOUR_MS = 3_600_000;

export interface ViewingSessionRow {
  id: number;
  account_id: number;
  username: string;
  channel_id: string;
  session_key: string;
  source: string;
  ip: string;
  user_agent: string | null;
  started_at: number;
  last_seen_at: number;
  ended_at: number | null;
  end_reason: string | null;
  banned_until: number | null;
  requests: number;
  bytes: number | null;
}

// ---- the live session store's load and flush ------------------------------------------

export function maxSessionId(db: Db): number {
  return (statement(db, 'SELECT max(id) AS id FROM viewing_sessions').get() as { id: number | null }).id ?? 0;
}

/** Sessions not yet ended, least recently seen first. */
export function openSessionRows(db: Db): ViewingSessionRow[] {
  return statement(db, 'SELECT * FROM viewing_sessions WHERE ended_at IS NULL ORDER BY last_seen_at').all() as ViewingSessionRow[];
}

/** Ended sessions whose slot is still banned at `now`. */
export function bannedSlots(db: Db, now: number): Array<Pick<ViewingSessionRow, 'account_id' | 'channel_id' | 'session_key'> & { banned_until: number }> {
  return statement(
    db,
    'SELECT account_id, channel_id, session_key, banned_until FROM viewing_sessions WHERE banned_until IS NOT NULL AND banned_until > ?',
  ).all(now) as Array<Pick<ViewingSessionRow, 'account_id' | 'channel_id' | 'session_key'> & { banned_until: number }>;
}

/** Inserts a session, or updates what changes during its life. */
export function saveSession(db: Db, row: ViewingSessionRow): void {
  statement(
    db,
    `INSERT INTO viewing_sessions (id, account_id, username, channel_id, session_key, source, ip, user_agent,
       started_at, last_seen_at, ended_at, end_reason, banned_until, requests, bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET ip = excluded.ip, last_seen_at = excluded.last_seen_at,
       ended_at = excluded.ended_at, end_reason = excluded.end_reason, banned_until = excluded.banned_until,
       requests = excluded.requests, bytes = excluded.bytes`,
  ).run(
    row.id,
    row.account_id,
    row.username,
    row.channel_id,
    row.session_key,
    row.source,
    row.ip,
    row.user_agent,
    row.started_at,
    row.last_seen_at,
    row.ended_at,
    row.end_reason,
    row.banned_until,
    row.requests,
    row.bytes,
  );
}

/** Raises the hour's peak of `kind`/`subject` to `peak` if it is higher. */
export function savePeak(db: Db, kind: string, subject: string, hour: number, peak: number): void {
  statement(
    db,
    `INSERT INTO viewing_peaks (kind, subject, hour, peak) VALUES (?, ?, ?, ?)
     ON CONFLICT(kind, subject, hour) DO UPDATE SET peak = max(peak, excluded.peak)`,
  ).run(kind, subject, hour, peak);
}

/** Drops peaks and ended sessions last seen before `cutoff`, in chunks so the writer lock is never held long. */
export function pruneViewingHistory(db: Db, cutoff: number): void {
  statement(db, 'DELETE FROM viewing_peaks WHERE hour < ?').run(cutoff);
  for (;;) {
    const changes = statement(
      db,
      'DELETE FROM viewing_sessions WHERE id IN (SELECT id FROM viewing_sessions WHERE last_seen_at < ? AND ended_at IS NOT NULL LIMIT 5000)',
    ).run(cutoff).changes;
    if (changes < 5000) break;
  }
}

// ---- the admin lists --------------------------------------------------------------------

export interface SessionFilter {
  accountId?: number;
  channelId?: string;
  ip?: string;
  state: 'active' | 'ended' | 'all';
}

function sessionWhere(filter: SessionFilter): WhereClause {
  const where = new WhereClause()
    .when('account_id = ?', filter.accountId)
    .when('channel_id = ?', filter.channelId)
    .when('ip = ?', filter.ip);
  if (filter.state === 'active') where.always('ended_at IS NULL');
  if (filter.state === 'ended') where.always('ended_at IS NOT NULL');
  return where;
}

/** Newest first; account, channel and IP filters use their indexes, `active` the partial index. */
export function listSessionRows(db: Db, filter: SessionFilter, page: number, pageSize: number): { rows: ViewingSessionRow[]; total: number } {
  return pageOfRows<ViewingSessionRow>(db, 'viewing_sessions', sessionWhere(filter), 'started_at DESC, id DESC', page, pageSize);
}

export function sessionRowById(db: Db, id: number): ViewingSessionRow | undefined {
  return statement(db, 'SELECT * FROM viewing_sessions WHERE id = ?').get(id) as ViewingSessionRow | undefined;
}

export function explainSessionQuery(db: Db, filter: SessionFilter): string[] {
  const where = sessionWhere(filter);
  return (
    db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM viewing_sessions ${where.sql} ORDER BY started_at DESC, id DESC LIMIT 50`).all(...where.params) as Array<{
      detail: string;
    }>
  ).map((r) => r.detail);
}

// ---- statistics ------------------------------------------------------------------------

export interface StatsRange {
  fromMs: number;
  toMs: number;
  accountId?: number;
  channelId?: string;
}

function rangeWhere(range: StatsRange): { sql: string; params: unknown[] } {
  const clauses = ['last_seen_at >= ?', 'started_at < ?'];
  const params: unknown[] = [range.fromMs, range.toMs];
  if (range.accountId !== undefined) {
    clauses.push('account_id = ?');
    params.push(range.accountId);
  }
  if (range.channelId !== undefined) {
    clauses.push('channel_id = ?');
    params.push(range.channelId);
  }
  return { sql: `WHERE ${clauses.join(' AND ')}`, params };
}

export function peaksOf(db: Db, kind: 'channel' | 'account', range: StatsRange): Map<string, number> {
  const rows = statement(
    db,
    'SELECT subject, max(peak) AS peak FROM viewing_peaks WHERE kind = ? AND hour >= ? AND hour < ? GROUP BY subject',
  ).all(kind, Math.floor(range.fromMs / HOUR_MS) * HOUR_MS, range.toMs) as Array<{ subject: string; peak: number }>;
  return new Map(rows.map((r) => [r.subject, r.peak]));
}

export function channelTotals(
  db: Db,
  range: StatsRange,
  page: number,
  pageSize: number,
): { rows: Array<{ channel_id: string; sessions: number; viewers: number; watch_ms: number }>; total: number } {
  const where = rangeWhere(range);
  const watch = 'sum(max(0, min(last_seen_at, ?) - max(started_at, ?)))';
  const total = (statement(db, `SELECT count(DISTINCT channel_id) AS n FROM viewing_sessions ${where.sql}`).get(...where.params) as { n: number }).n;
  const rows = statement(
    db,
    `SELECT channel_id, count(*) AS sessions, count(DISTINCT account_id) AS viewers, ${watch} AS watch_ms
     FROM viewing_sessions ${where.sql} GROUP BY channel_id ORDER BY watch_ms DESC, channel_id LIMIT ? OFFSET ?`,
  ).all(range.toMs, range.fromMs, ...where.params, pageSize, (page - 1) * pageSize) as Array<{
    channel_id: string;
    sessions: number;
    viewers: number;
    watch_ms: number;
  }>;
  return { rows, total };
}

export function accountTotals(
  db: Db,
  range: StatsRange,
  page: number,
  pageSize: number,
): { rows: Array<{ account_id: number; username: string; sessions: number; channels: number; watch_ms: number }>; total: number } {
  const where = rangeWhere(range);
  const watch = 'sum(max(0, min(last_seen_at, ?) - max(started_at, ?)))';
  const total = (statement(db, `SELECT count(DISTINCT account_id) AS n FROM viewing_sessions ${where.sql}`).get(...where.params) as { n: number }).n;
  const rows = statement(
    db,
    `SELECT account_id, max(username) AS username, count(*) AS sessions, count(DISTINCT channel_id) AS channels, ${watch} AS watch_ms
     FROM viewing_sessions ${where.sql} GROUP BY account_id ORDER BY watch_ms DESC, account_id LIMIT ? OFFSET ?`,
  ).all(range.toMs, range.fromMs, ...where.params, pageSize, (page - 1) * pageSize) as Array<{
    account_id: number;
    username: string;
    sessions: number;
    channels: number;
    watch_ms: number;
  }>;
  return { rows, total };
}
