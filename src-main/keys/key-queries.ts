import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { pageOfRows, WhereClause } from '../db/where-clause';

export interface ControlWordRow {
  channel_id: string;
  period_seconds: number;
  period: number;
  generation: number;
  key_sealed: Buffer;
  iv: Buffer;
  starts_at: number;
  ends_at: number;
  created_at: number;
}

export interface PackageKeyRow {
  package_id: string;
  epoch: number;
  key_sealed: Buffer;
  starts_at: number;
  ends_at: number;
  voided_at: number | null;
  created_at: number;
}

export interface RotationRow {
  id: number;
  at: number;
  kind: 'ecm' | 'emm';
  trigger: 'scheduled' | 'manual';
  channel_id: string | null;
  package_id: string | null;
  period: number | null;
  generation: number | null;
  epoch: number | null;
  starts_at: number;
  actor: string;
}

/** The newest generation of one period, or undefined when the period has no key yet. */
export function latestControlWord(db: Db, channelId: string, periodSeconds: number, period: number): ControlWordRow | undefined {
  return statement(
    db,
    `SELECT * FROM control_words WHERE channel_id = ? AND period_seconds = ? AND period = ?
     ORDER BY generation DESC LIMIT 1`,
  ).get(channelId, periodSeconds, period) as ControlWordRow | undefined;
}

export function controlWordRow(
  db: Db,
  channelId: string,
  periodSeconds: number,
  period: number,
  generation: number,
): ControlWordRow | undefined {
  return statement(
    db,
    'SELECT * FROM control_words WHERE channel_id = ? AND period_seconds = ? AND period = ? AND generation = ?',
  ).get(channelId, periodSeconds, period, generation) as ControlWordRow | undefined;
}

/**
 * A period's key under an earlier period length (the channel's length changed since): the most
 * recent one still held. Only used when the current length has no such period.
 */
export function controlWordUnderAnyLength(db: Db, channelId: string, period: number, generation: number | null): ControlWordRow | undefined {
  if (generation === null) {
    return statement(
      db,
      `SELECT * FROM control_words INDEXED BY control_words_by_channel_period WHERE channel_id = ? AND period = ?
       ORDER BY ends_at DESC, generation DESC LIMIT 1`,
    ).get(channelId, period) as ControlWordRow | undefined;
  }
  return statement(
    db,
    'SELECT * FROM control_words INDEXED BY control_words_by_channel_period WHERE channel_id = ? AND period = ? AND generation = ? ORDER BY ends_at DESC LIMIT 1',
  ).get(channelId, period, generation) as ControlWordRow | undefined;
}

/** Inserts a control word unless that (channel, length, period, generation) exists; true when inserted. */
export function insertControlWord(db: Db, row: ControlWordRow): boolean {
  return (
    statement(
      db,
      `INSERT OR IGNORE INTO control_words
         (channel_id, period_seconds, period, generation, key_sealed, iv, starts_at, ends_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.channel_id,
      row.period_seconds,
      row.period,
      row.generation,
      row.key_sealed,
      row.iv,
      row.starts_at,
      row.ends_at,
      row.created_at,
    ).changes === 1
  );
}

export function deleteControlWordsEndedBefore(db: Db, cutoff: number): number {
  return statement(db, 'DELETE FROM control_words WHERE ends_at < ?').run(cutoff).changes;
}

export interface ControlWordCounts {
  channel_id: string;
  n: number;
  oldest_end: number;
}

export function controlWordCounts(db: Db): ControlWordCounts[] {
  return statement(
    db,
    'SELECT channel_id, count(*) AS n, min(ends_at) AS oldest_end FROM control_words GROUP BY channel_id',
  ).all() as ControlWordCounts[];
}

/** The package epoch in force at `now` (voided epochs never are). */
export function packageKeyAt(db: Db, packageId: string, now: number): PackageKeyRow | undefined {
  return statement(
    db,
    `SELECT * FROM package_keys WHERE package_id = ? AND starts_at <= ? AND voided_at IS NULL
     ORDER BY starts_at DESC, epoch DESC LIMIT 1`,
  ).get(packageId, now) as PackageKeyRow | undefined;
}

/** The prepared epoch that starts at `startsAt`, if any. */
export function packageKeyStartingAt(db: Db, packageId: string, startsAt: number): PackageKeyRow | undefined {
  return statement(
    db,
    `SELECT * FROM package_keys WHERE package_id = ? AND starts_at = ? AND voided_at IS NULL
     ORDER BY epoch DESC LIMIT 1`,
  ).get(packageId, startsAt) as PackageKeyRow | undefined;
}

export function packageKeyRow(db: Db, packageId: string, epoch: number): PackageKeyRow | undefined {
  return statement(db, 'SELECT * FROM package_keys WHERE package_id = ? AND epoch = ?').get(packageId, epoch) as
    | PackageKeyRow
    | undefined;
}

export function lastPackageEpoch(db: Db, packageId: string): number {
  const row = statement(db, 'SELECT max(epoch) AS e FROM package_keys WHERE package_id = ?').get(packageId) as { e: number | null };
  return row.e ?? 0;
}

export function insertPackageKey(db: Db, row: Omit<PackageKeyRow, 'voided_at'>): void {
  statement(
    db,
    `INSERT INTO package_keys (package_id, epoch, key_sealed, starts_at, ends_at, voided_at, created_at)
     VALUES (?, ?, ?, ?, ?, NULL, ?)`,
  ).run(row.package_id, row.epoch, row.key_sealed, row.starts_at, row.ends_at, row.created_at);
}

/** Voids the prepared epochs that have not started at `now` (a manual EMM rotation replaces them). */
export function voidPendingPackageKeys(db: Db, packageId: string, now: number): number {
  return statement(
    db,
    'UPDATE package_keys SET voided_at = ? WHERE package_id = ? AND starts_at > ? AND voided_at IS NULL',
  ).run(now, packageId, now).changes;
}

export function endPackageEpoch(db: Db, packageId: string, epoch: number, at: number): void {
  statement(db, 'UPDATE package_keys SET ends_at = ? WHERE package_id = ? AND epoch = ?').run(at, packageId, epoch);
}

export function deletePackageKeysEndedBefore(db: Db, cutoff: number): number {
  return statement(db, 'DELETE FROM package_keys WHERE ends_at < ?').run(cutoff).changes;
}

export function packageKeyCounts(db: Db): Array<{ package_id: string; n: number }> {
  return statement(db, 'SELECT package_id, count(*) AS n FROM package_keys WHERE voided_at IS NULL GROUP BY package_id').all() as Array<{
    package_id: string;
    n: number;
  }>;
}

export function insertRotation(db: Db, row: Omit<RotationRow, 'id'>): number {
  return Number(
    statement(
      db,
      `INSERT INTO key_rotations (at, kind, trigger, channel_id, package_id, period, generation, epoch, starts_at, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.at,
      row.kind,
      row.trigger,
      row.channel_id,
      row.package_id,
      row.period,
      row.generation,
      row.epoch,
      row.starts_at,
      row.actor,
    ).lastInsertRowid,
  );
}

export function rotationById(db: Db, id: number): RotationRow {
  return statement(db, 'SELECT * FROM key_rotations WHERE id = ?').get(id) as RotationRow;
}

export function lastRotationPerChannel(db: Db): Array<{ channel_id: string; at: number }> {
  return statement(
    db,
    'SELECT channel_id, max(at) AS at FROM key_rotations WHERE channel_id IS NOT NULL GROUP BY channel_id',
  ).all() as Array<{ channel_id: string; at: number }>;
}

export interface RotationFilter {
  kind?: 'ecm' | 'emm';
  trigger?: 'scheduled' | 'manual';
  channel?: string;
  package?: string;
}

function rotationWhere(filter: RotationFilter): WhereClause {
  return new WhereClause()
    .when('kind = ?', filter.kind)
    .when('trigger = ?', filter.trigger)
    .when('channel_id = ?', filter.channel)
    .when('package_id = ?', filter.package);
}

export function listRotations(db: Db, filter: RotationFilter, page: number, pageSize: number): { rows: RotationRow[]; total: number } {
  return pageOfRows<RotationRow>(db, 'key_rotations', rotationWhere(filter), 'at DESC, id DESC', page, pageSize);
}

export function explainRotationList(db: Db, filter: RotationFilter): string[] {
  const where = rotationWhere(filter);
  return (
    db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM key_rotations ${where.sql} ORDER BY at DESC, id DESC LIMIT 50`).all(...where.params) as Array<{
      detail: string;
    }>
  ).map((r) => r.detail);
}

export function deleteRotationsBefore(db: Db, cutoff: number): number {
  return statement(db, 'DELETE FROM key_rotations WHERE at < ?').run(cutoff).changes;
}

/** Query plans of the key-store lookups and sweeps, for the index tests. */
export function explainKeyQueries(db: Db): Record<string, string> {
  const plan = (sql: string, ...params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
  return {
    latestControlWord: plan(
      'SELECT * FROM control_words WHERE channel_id = ? AND period_seconds = ? AND period = ? ORDER BY generation DESC LIMIT 1',
      'c',
      2,
      1,
    ),
    controlWordUnderAnyLength: plan(
      'SELECT * FROM control_words INDEXED BY control_words_by_channel_period WHERE channel_id = ? AND period = ? AND generation = ? ORDER BY ends_at DESC LIMIT 1',
      'c',
      1,
      0,
    ),
    controlWordSweep: plan('DELETE FROM control_words WHERE ends_at < ?', 0),
    packageKeyAt: plan(
      `SELECT * FROM package_keys WHERE package_id = ? AND starts_at <= ? AND voided_at IS NULL
       ORDER BY starts_at DESC, epoch DESC LIMIT 1`,
      'p',
      0,
    ),
    packageKeySweep: plan('DELETE FROM package_keys WHERE ends_at < ?', 0),
    rotationSweep: plan('DELETE FROM key_rotations WHERE at < ?', 0),
  };
}
