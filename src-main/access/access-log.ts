import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';
import { isoFromMs } from '../core/clock';
import type { AccessLogEntry } from '../../src-shared/schemas/access';

export interface AccessLogRecord {
  at: number;
  result: 'allow' | 'deny';
  reason: string | null;
  rule: string | null;
  accountId: number | null;
  username: string | null;
  channelId: string | null;
  ip: string;
  source: string;
  sessionId: number | null;
}

/** Above this many buffered decisions a flush is scheduled at once; above MAX they are dropped (and counted). */
const EARLY_FLUSH = 20_000;
const MAX_BUFFERED = 200_000;
const HOUR_MS = 3_600_000;

/**
 * The access log, written in batches: decisions are buffered in memory and flushed in one
 * transaction (with the hourly roll-up the dashboard reads), never one INSERT per request.
 */
export class AccessLogWriter {
  #buffer: AccessLogRecord[] = [];
  #dropped = 0;
  #scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly onEarlyFlush: () => void,
  ) {}

  get dropped(): number {
    return this.#dropped;
  }

  push(record: AccessLogRecord): void {
    if (this.#buffer.length >= MAX_BUFFERED) {
      this.#dropped++;
      return;
    }
    this.#buffer.push(record);
    if (this.#buffer.length >= EARLY_FLUSH && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.onEarlyFlush();
      });
    }
  }

  get pending(): number {
    return this.#buffer.length;
  }

  /** Writes the buffer (at most `limit` rows, oldest first); call inside a transaction. */
  flush(limit = Number.POSITIVE_INFINITY): number {
    if (this.#buffer.length === 0) return 0;
    let batch: AccessLogRecord[];
    if (this.#buffer.length <= limit) {
      batch = this.#buffer;
      this.#buffer = [];
    } else {
      batch = this.#buffer.slice(0, limit);
      this.#buffer = this.#buffer.slice(limit);
    }
    const insert = statement(
      this.db,
      `INSERT INTO access_log (at, result, reason, rule, account_id, username, channel_id, ip, source, session_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const hourly = new Map<string, number>();
    for (const r of batch) {
      insert.run(r.at, r.result, r.reason, r.rule, r.accountId, r.username, r.channelId, r.ip, r.source, r.sessionId);
      const key = `${Math.floor(r.at / HOUR_MS) * HOUR_MS}\u0000${r.channelId ?? ''}\u0000${r.result}\u0000${r.reason ?? r.rule ?? ''}`;
      hourly.set(key, (hourly.get(key) ?? 0) + 1);
    }
    const rollup = statement(
      this.db,
      `INSERT INTO access_hourly (hour, channel_id, result, reason, n) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(hour, channel_id, result, reason) DO UPDATE SET n = n + excluded.n`,
    );
    for (const [key, n] of hourly) {
      const [hour, channel, result, reason] = key.split('\u0000') as [string, string, string, string];
      rollup.run(Number(hour), channel, result, reason, n);
    }
    return batch.length;
  }
}

export interface AccessLogFilter {
  accountId?: number;
  channelId?: string;
  ip?: string;
  result?: 'allow' | 'deny';
  reason?: string;
  fromMs?: number;
  toMs?: number;
}

interface AccessLogRow {
  id: number;
  at: number;
  result: 'allow' | 'deny';
  reason: string | null;
  rule: string | null;
  account_id: number | null;
  username: string | null;
  channel_id: string | null;
  ip: string;
  source: string;
  session_id: number | null;
}

function whereOf(filter: AccessLogFilter): WhereClause {
  return new WhereClause()
    .when('account_id = ?', filter.accountId)
    .when('channel_id = ?', filter.channelId)
    .when('ip = ?', filter.ip)
    .when('result = ?', filter.result)
    .when('reason = ?', filter.reason)
    .when('at >= ?', filter.fromMs)
    .when('at < ?', filter.toMs);
}

/** Newest first; every filter column has an index (`access_log_by_*`). */
export function listAccessLog(db: Db, filter: AccessLogFilter, page: number, pageSize: number): { items: AccessLogEntry[]; total: number } {
  const { rows, total } = pageOfRows<AccessLogRow>(db, 'access_log', whereOf(filter), 'at DESC, id DESC', page, pageSize);
  return {
    total,
    items: rows.map((row) => ({
      id: row.id,
      at: isoFromMs(row.at),
      result: row.result,
      reason: row.reason,
      rule: row.rule,
      accountId: row.account_id,
      username: row.username,
      channelId: row.channel_id,
      ip: row.ip,
      source: row.source,
      sessionId: row.session_id,
    })),
  };
}

export function explainAccessLogQuery(db: Db, filter: AccessLogFilter): string[] {
  const where = whereOf(filter);
  return (
    db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM access_log ${where.sql} ORDER BY at DESC, id DESC LIMIT 50`).all(...where.params) as Array<{
      detail: string;
    }>
  ).map((r) => r.detail);
}
