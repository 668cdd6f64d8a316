import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';
import { isoFromMs } from '../kernel/clock';
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

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Above this many buffered rows a flush is scheduled at once, open minute included. */
const EARLY_FLUSH = 20_000;
/** Above this many buffered rows the oldest are dropped (and counted); a failing disk cannot grow memory. */
const MAX_BUFFERED = 200_000;
/** Rows taken at a time by `writeWhile` between two looks at its budget. */
const WRITE_STEP = 16;

/** One access-log row waiting to be written: identical decisions of one minute, counted. */
export interface PendingAccessRow extends AccessLogRecord {
  count: number;
  key: string;
}

/** Decisions that share every field and the minute share one row (a flood of refusals is one row a minute). */
function rowKey(r: AccessLogRecord): string {
  return `${Math.floor(r.at / MINUTE_MS)}\u0000${r.result}\u0000${r.reason ?? r.rule ?? ''}\u0000${r.accountId ?? ''}\u0000${r.channelId ?? ''}\u0000${r.ip}\u0000${r.source}\u0000${r.sessionId ?? ''}`;
}

/** The hourly roll-up's key of a decision: hour, channel, result, reason or rule. */
function hourlyKey(r: AccessLogRecord): string {
  return `${Math.floor(r.at / HOUR_MS) * HOUR_MS}\u0000${r.channelId ?? ''}\u0000${r.result}\u0000${r.reason ?? r.rule ?? ''}`;
}

/**
 * The access log, written in batches: decisions are aggregated in memory (one row per identical
 * decision and minute, with a count) and flushed in one transaction with the hourly roll-up the
 * dashboard reads, never one INSERT per request. The buffer is bounded: past `maxBuffered` rows
 * the oldest are dropped and counted, so a database that cannot be written never grows memory.
 */
export class AccessLogWriter {
  #rows = new Map<string, PendingAccessRow>();
  /** `hourlyKey` → decisions counted in the hourly figures without a row of their own (see `countHourly`). */
  #hourlyOnly = new Map<string, number>();
  #dropped = 0;
  #scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly onEarlyFlush: () => void,
    private readonly maxBuffered = MAX_BUFFERED,
  ) {}

  /** Decisions lost because the buffer was full (the database could not keep up or failed). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Buffered rows (each may count many decisions), and hourly counts waiting as one more. */
  get pending(): number {
    return this.#rows.size + (this.#hourlyOnly.size > 0 ? 1 : 0);
  }

  /** Counts a decision in the hourly figures only (a refresh of a live session: no row of its own). */
  countHourly(record: AccessLogRecord): void {
    const key = hourlyKey(record);
    this.#hourlyOnly.set(key, (this.#hourlyOnly.get(key) ?? 0) + 1);
  }

  push(record: AccessLogRecord): void {
    const key = rowKey(record);
    const row = this.#rows.get(key);
    if (row) {
      row.count++;
      return;
    }
    if (this.#rows.size >= this.maxBuffered) this.#dropOldest();
    this.#rows.set(key, { ...record, count: 1, key });
    if (this.#rows.size >= EARLY_FLUSH && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.onEarlyFlush();
      });
    }
  }

  /**
   * Removes up to `limit` rows, oldest first, for `write`. With `now`, only rows of minutes that
   * have ended (so a row keeps counting while its minute lasts), unless the buffer is large.
   */
  take(limit: number, now?: number): PendingAccessRow[] {
    const openMinute = now === undefined || this.#rows.size >= EARLY_FLUSH ? Number.POSITIVE_INFINITY : Math.floor(now / MINUTE_MS);
    const batch: PendingAccessRow[] = [];
    for (const row of this.#rows.values()) {
      if (batch.length >= limit || Math.floor(row.at / MINUTE_MS) >= openMinute) break;
      batch.push(row);
    }
    for (const row of batch) this.#rows.delete(row.key);
    return batch;
  }

  /** Returns a batch whose write failed (rows and hourly-only counts) to the front of the buffer (still bounded). */
  putBack(batch: readonly PendingAccessRow[], hourlyCounts: ReadonlyMap<string, number> = new Map()): void {
    for (const [key, n] of hourlyCounts) this.#hourlyOnly.set(key, (this.#hourlyOnly.get(key) ?? 0) + n);
    const newer = this.#rows;
    this.#rows = new Map(batch.map((row) => [row.key, row]));
    for (const [key, row] of newer) {
      const older = this.#rows.get(key);
      if (older) older.count += row.count;
      else this.#rows.set(key, row);
    }
    while (this.#rows.size > this.maxBuffered) this.#dropOldest();
  }

  /**
   * Takes and writes rows, oldest first, a few at a time while `more()` says so, then their hourly
   * counts with the hourly-only ones; call inside a transaction. Every row taken is pushed to `taken`
   * as it is taken, the hourly-only counts are moved to `takenHourly`, so the caller can put them
   * back when the transaction fails. `now`: as in `take`. Returns rows written.
   */
  writeWhile(more: () => boolean, taken: PendingAccessRow[], takenHourly: Map<string, number>, now?: number): number {
    const insert = statement(
      this.db,
      `INSERT INTO access_log (at, result, reason, rule, account_id, username, channel_id, ip, source, session_id, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const hourly = new Map<string, number>();
    for (const [key, n] of this.#hourlyOnly) {
      hourly.set(key, n);
      takenHourly.set(key, (takenHourly.get(key) ?? 0) + n);
    }
    this.#hourlyOnly.clear();
    const first = taken.length;
    while (more()) {
      const step = this.take(WRITE_STEP, now);
      if (step.length === 0) break;
      for (const r of step) {
        taken.push(r);
        insert.run(r.at, r.result, r.reason, r.rule, r.accountId, r.username, r.channelId, r.ip, r.source, r.sessionId, r.count);
        const key = hourlyKey(r);
        hourly.set(key, (hourly.get(key) ?? 0) + r.count);
      }
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
    return taken.length - first;
  }

  #dropOldest(): void {
    const oldest = this.#rows.values().next();
    if (oldest.done) return;
    this.#rows.delete(oldest.value.key);
    this.#dropped += oldest.value.count;
  }
}

/**
 * Keeps the newest `maxRows` rows: deletes older ones in chunks, yielding between them so the
 * writer lock is never held long. Row ids only grow, so "older" is an id range (no count(*)).
 */
export async function capAccessLog(db: Db, maxRows: number): Promise<number> {
  const newest = (statement(db, 'SELECT max(id) AS id FROM access_log').get() as { id: number | null }).id;
  if (newest === null || newest <= maxRows) return 0;
  let deleted = 0;
  for (;;) {
    if (!db.open) return deleted;
    const changes = statement(db, 'DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE id <= ? ORDER BY id LIMIT 5000)').run(newest - maxRows).changes;
    deleted += changes;
    if (changes < 5000) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface AccessLogFilter {
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
  count: number;
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
      count: row.count,
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

/** Drops access-log rows and hourly counts older than `cutoff`, the log in chunks so the writer lock is never held long. */
export function pruneAccessLog(db: Db, cutoff: number): void {
  for (;;) {
    const changes = statement(db, 'DELETE FROM access_log WHERE id IN (SELECT id FROM access_log WHERE at < ? ORDER BY at LIMIT 5000)').run(cutoff).changes;
    if (changes < 5000) break;
  }
  statement(db, 'DELETE FROM access_hourly WHERE hour < ?').run(cutoff);
}

export interface HourlyCount {
  hour: number;
  result: string;
  reason: string;
  channel_id: string;
  n: number;
}

/** Authorizations and refusals per hour, result, reason and channel, from `firstHour` on. */
export function hourlyCountsSince(db: Db, firstHour: number): HourlyCount[] {
  return statement(
    db,
    'SELECT hour, result, reason, channel_id, sum(n) AS n FROM access_hourly WHERE hour >= ? GROUP BY hour, result, reason, channel_id',
  ).all(firstHour) as HourlyCount[];
}
