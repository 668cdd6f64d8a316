import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import type { AccountStats, ChannelStats, ViewingSession } from '../../src-shared/schemas/sessions';

const HOUR_MS = 3_600_000;

interface SessionRow {
  id: number;
  account_id: number;
  username: string;
  channel_id: string;
  source: string;
  ip: string;
  user_agent: string | null;
  started_at: number;
  last_seen_at: number;
  ended_at: number | null;
  end_reason: string | null;
  requests: number;
  bytes: number | null;
}

function toViewingSession(row: SessionRow): ViewingSession {
  return {
    id: row.id,
    accountId: row.account_id,
    username: row.username,
    channelId: row.channel_id,
    source: row.source,
    ip: row.ip,
    userAgent: row.user_agent,
    startedAt: isoFromMs(row.started_at),
    lastSeenAt: isoFromMs(row.last_seen_at),
    endedAt: isoOrNull(row.ended_at),
    endReason: row.end_reason,
    active: row.ended_at === null,
    requests: row.requests,
    bytes: row.bytes,
  };
}

interface SessionFilter {
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
export function listSessions(db: Db, filter: SessionFilter, page: number, pageSize: number): { items: ViewingSession[]; total: number } {
  const { rows, total } = pageOfRows<SessionRow>(db, 'viewing_sessions', sessionWhere(filter), 'started_at DESC, id DESC', page, pageSize);
  return { items: rows.map(toViewingSession), total };
}

export function sessionById(db: Db, id: number): ViewingSession | undefined {
  const row = statement(db, 'SELECT * FROM viewing_sessions WHERE id = ?').get(id) as SessionRow | undefined;
  return row ? toViewingSession(row) : undefined;
}

export function explainSessionQuery(db: Db, filter: SessionFilter): string[] {
  const where = sessionWhere(filter);
  return (
    db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM viewing_sessions ${where.sql} ORDER BY started_at DESC, id DESC LIMIT 50`).all(...where.params) as Array<{
      detail: string;
    }>
  ).map((r) => r.detail);
}

interface StatsRange {
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

function peaks(db: Db, kind: 'channel' | 'account', range: StatsRange): Map<string, number> {
  const rows = statement(
    db,
    'SELECT subject, max(peak) AS peak FROM viewing_peaks WHERE kind = ? AND hour >= ? AND hour < ? GROUP BY subject',
  ).all(kind, Math.floor(range.fromMs / HOUR_MS) * HOUR_MS, range.toMs) as Array<{ subject: string; peak: number }>;
  return new Map(rows.map((r) => [r.subject, r.peak]));
}

/** Watch time (clipped to the range), sessions, distinct viewers and peak viewers per channel. */
export function channelStats(db: Db, range: StatsRange, page: number, pageSize: number): { items: ChannelStats[]; total: number } {
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
  const peak = peaks(db, 'channel', range);
  const names = new Map(
    (statement(db, 'SELECT id, name FROM channels WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(rows.map((r) => r.channel_id))) as Array<{
      id: string;
      name: string;
    }>).map((r) => [r.id, r.name]),
  );
  return {
    total,
    items: rows.map((r) => ({
      channelId: r.channel_id,
      name: names.get(r.channel_id) ?? null,
      sessions: r.sessions,
      viewers: r.viewers,
      watchSeconds: Math.round(r.watch_ms / 1000),
      peakViewers: peak.get(r.channel_id) ?? 0,
    })),
  };
}

/** Watch time, sessions, channels and peak simultaneous sessions per account. */
export function accountStats(db: Db, range: StatsRange, page: number, pageSize: number): { items: AccountStats[]; total: number } {
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
  const peak = peaks(db, 'account', range);
  return {
    total,
    items: rows.map((r) => ({
      accountId: r.account_id,
      username: r.username,
      sessions: r.sessions,
      channels: r.channels,
      watchSeconds: Math.round(r.watch_ms / 1000),
      peakSessions: peak.get(String(r.account_id)) ?? 0,
    })),
  };
}
