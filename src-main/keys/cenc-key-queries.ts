import type { Db } from '../db/connection';
import { statement } from '../db/statements';

/** One CENC key: the KID and sealed key of a channel's control word (same identity). */
export interface CencKeyRow {
  channel_id: string;
  period_seconds: number;
  period: number;
  generation: number;
  kid: Buffer;
  key_sealed: Buffer;
  starts_at: number;
  ends_at: number;
  created_at: number;
}

export function cencKeyRow(db: Db, channelId: string, periodSeconds: number, period: number, generation: number): CencKeyRow | undefined {
  return statement(
    db,
    'SELECT * FROM cenc_keys WHERE channel_id = ? AND period_seconds = ? AND period = ? AND generation = ?',
  ).get(channelId, periodSeconds, period, generation) as CencKeyRow | undefined;
}

/** The key a KID names (the KID is unique across channels). */
export function cencKeyByKid(db: Db, kid: Buffer): CencKeyRow | undefined {
  return statement(db, 'SELECT * FROM cenc_keys WHERE kid = ?').get(kid) as CencKeyRow | undefined;
}

/** Inserts a key unless its (channel, length, period, generation) already has one; true when inserted. */
export function insertCencKey(db: Db, row: CencKeyRow): boolean {
  return (
    statement(
      db,
      `INSERT OR IGNORE INTO cenc_keys (channel_id, period_seconds, period, generation, kid, key_sealed, starts_at, ends_at, created_at)
       VALUES (@channel_id, @period_seconds, @period, @generation, @kid, @key_sealed, @starts_at, @ends_at, @created_at)`,
    ).run(row).changes === 1
  );
}

export function deleteCencKeysEndedBefore(db: Db, cutoff: number): number {
  return statement(db, 'DELETE FROM cenc_keys WHERE ends_at < ?').run(cutoff).changes;
}
