import type { Db } from '../db/connection';
import { statement } from '../db/statements';

/**
 * The owner of the `devices` table: the devices (HWIDs) bound to an account, shown and managed
 * with the account; the device protocol (src-main/devices) reads and updates them through here.
 */

export interface DeviceRow {
  id: number;
  account_id: number;
  hwid: string;
  first_seen_at: number;
  last_seen_at: number;
  last_ip: string | null;
  box_public_key: Buffer | null;
  box_key_registered_at: number | null;
}

export function deviceOf(db: Db, accountId: number, hwid: string): DeviceRow | undefined {
  return statement(db, 'SELECT * FROM devices WHERE account_id = ? AND hwid = ?').get(accountId, hwid) as DeviceRow | undefined;
}

export function deviceById(db: Db, id: number): DeviceRow | undefined {
  return statement(db, 'SELECT * FROM devices WHERE id = ?').get(id) as DeviceRow | undefined;
}

export function devicesOfAccount(db: Db, accountId: number): DeviceRow[] {
  return statement(db, 'SELECT * FROM devices WHERE account_id = ? ORDER BY first_seen_at').all(accountId) as DeviceRow[];
}

/** Per account of `accountIds` that has devices, how many. */
export function deviceCountsOf(db: Db, accountIds: readonly number[]): Map<number, number> {
  if (accountIds.length === 0) return new Map();
  const rows = statement(
    db,
    `SELECT account_id, count(*) AS n FROM devices
     WHERE account_id IN (SELECT value FROM json_each(?)) GROUP BY account_id`,
  ).all(JSON.stringify(accountIds)) as Array<{ account_id: number; n: number }>;
  return new Map(rows.map((r) => [r.account_id, r.n]));
}

export function deleteDevice(db: Db, id: number): void {
  statement(db, 'DELETE FROM devices WHERE id = ?').run(id);
}

export function deviceCount(db: Db, accountId: number): number {
  return (statement(db, 'SELECT count(*) AS n FROM devices WHERE account_id = ?').get(accountId) as { n: number }).n;
}

export function insertDevice(db: Db, accountId: number, hwid: string, now: number, ip: string): number {
  return Number(
    statement(db, 'INSERT INTO devices (account_id, hwid, first_seen_at, last_seen_at, last_ip) VALUES (?, ?, ?, ?, ?)').run(
      accountId,
      hwid,
      now,
      now,
      ip,
    ).lastInsertRowid,
  );
}

/** A device the operator binds to an account before it ever signs in (no address seen yet). */
export function bindDevice(db: Db, accountId: number, hwid: string, now: number): number {
  return Number(
    statement(db, 'INSERT INTO devices (account_id, hwid, first_seen_at, last_seen_at, last_ip) VALUES (?, ?, ?, ?, NULL)').run(
      accountId,
      hwid,
      now,
      now,
    ).lastInsertRowid,
  );
}

export function touchDevice(db: Db, id: number, now: number, ip: string): void {
  statement(db, 'UPDATE devices SET last_seen_at = ?, last_ip = ? WHERE id = ?').run(now, ip, id);
}

export function setDeviceBoxKey(db: Db, id: number, publicKey: Uint8Array, now: number): void {
  statement(db, 'UPDATE devices SET box_public_key = ?, box_key_registered_at = ? WHERE id = ?').run(Buffer.from(publicKey), now, id);
}

/** The HWID of each device id given (ids of deleted devices are absent). */
export function hwidsOf(db: Db, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = statement(db, 'SELECT id, hwid FROM devices WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify([...new Set(ids)]),
  ) as Array<{ id: number; hwid: string }>;
  return new Map(rows.map((r) => [r.id, r.hwid]));
}
