import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { usernamesOf } from '../accounts/account-queries';

/** The owner of the `devices`, `device_sessions` and `device_nonces` tables: every statement on them is here. */

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

export interface DeviceSessionRow {
  id: number;
  token_hash: string;
  device_id: number;
  account_id: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  /** The address it signed in from (with the device, it names the session's connection). */
  ip: string | null;
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

export function touchDevice(db: Db, id: number, now: number, ip: string): void {
  statement(db, 'UPDATE devices SET last_seen_at = ?, last_ip = ? WHERE id = ?').run(now, ip, id);
}

export function setDeviceBoxKey(db: Db, id: number, publicKey: Uint8Array, now: number): void {
  statement(db, 'UPDATE devices SET box_public_key = ?, box_key_registered_at = ? WHERE id = ?').run(Buffer.from(publicKey), now, id);
}

/** Records a sign-in nonce; false when the account already used it inside the window (a replay). */
export function consumeNonce(db: Db, accountId: number, nonce: string, expiresAt: number): boolean {
  return (
    statement(db, 'INSERT OR IGNORE INTO device_nonces (account_id, nonce, expires_at) VALUES (?, ?, ?)').run(accountId, nonce, expiresAt)
      .changes === 1
  );
}

export function sweepNonces(db: Db, now: number): number {
  return statement(db, 'DELETE FROM device_nonces WHERE expires_at < ?').run(now).changes;
}

export function insertDeviceSession(
  db: Db,
  row: Omit<DeviceSessionRow, 'id'>,
): number {
  return Number(
    statement(
      db,
      `INSERT INTO device_sessions (token_hash, device_id, account_id, created_at, expires_at, last_seen_at, ip)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(row.token_hash, row.device_id, row.account_id, row.created_at, row.expires_at, row.last_seen_at, row.ip).lastInsertRowid,
  );
}

export function deviceSessionByHash(db: Db, tokenHash: string): DeviceSessionRow | undefined {
  return statement(db, 'SELECT * FROM device_sessions WHERE token_hash = ?').get(tokenHash) as DeviceSessionRow | undefined;
}

export function deviceSessionById(db: Db, id: number): DeviceSessionRow | undefined {
  return statement(db, 'SELECT * FROM device_sessions WHERE id = ?').get(id) as DeviceSessionRow | undefined;
}

export function deleteDeviceSession(db: Db, id: number): void {
  statement(db, 'DELETE FROM device_sessions WHERE id = ?').run(id);
}

/** Ends the bearer sessions of an account, or of one of its devices; returns how many. */
export function deleteSessionsOfAccount(db: Db, accountId: number, deviceId?: number): number {
  return deviceId === undefined
    ? statement(db, 'DELETE FROM device_sessions WHERE account_id = ?').run(accountId).changes
    : statement(db, 'DELETE FROM device_sessions WHERE account_id = ? AND device_id = ?').run(accountId, deviceId).changes;
}

export function touchDeviceSession(db: Db, id: number, now: number): void {
  statement(db, 'UPDATE device_sessions SET last_seen_at = ? WHERE id = ?').run(now, id);
}

/** Ends the bearer sessions of one device connection (a device and the address it signed in from). */
export function deleteConnectionSessions(db: Db, accountId: number, deviceId: number, signInIp: string): number {
  return statement(db, 'DELETE FROM device_sessions WHERE account_id = ? AND device_id = ? AND ip = ?').run(accountId, deviceId, signInIp).changes;
}

export function deleteSessionsOfAccounts(db: Db, accountIds: readonly number[]): number {
  return statement(db, 'DELETE FROM device_sessions WHERE account_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(accountIds)).changes;
}

export function sweepDeviceSessions(db: Db, now: number): number {
  return statement(db, 'DELETE FROM device_sessions WHERE expires_at <= ?').run(now).changes;
}

export interface DeviceSessionListRow extends DeviceSessionRow {
  username: string;
  hwid: string;
}

export function listDeviceSessionRows(
  db: Db,
  filter: { accountId?: number; deviceId?: number },
  now: number,
  page: number,
  pageSize: number,
): { rows: DeviceSessionListRow[]; total: number } {
  const clauses = ['s.expires_at > ?'];
  const params: unknown[] = [now];
  if (filter.accountId !== undefined) {
    clauses.push('s.account_id = ?');
    params.push(filter.accountId);
  }
  if (filter.deviceId !== undefined) {
    clauses.push('s.device_id = ?');
    params.push(filter.deviceId);
  }
  const where = `WHERE ${clauses.join(' AND ')}`;
  const sessions = statement(
    db,
    `SELECT s.*, d.hwid AS hwid FROM device_sessions s JOIN devices d ON d.id = s.device_id
     ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?`,
  ).all(...params, pageSize, (page - 1) * pageSize) as Array<Omit<DeviceSessionListRow, 'username'>>;
  // A session ends with its account (foreign key), so every account here exists.
  const usernames = usernamesOf(
    db,
    sessions.map((s) => s.account_id),
  );
  const rows = sessions.map((s) => ({ ...s, username: usernames.get(s.account_id) ?? '' }));
  const total = (statement(db, `SELECT count(*) AS n FROM device_sessions s ${where}`).get(...params) as { n: number }).n;
  return { rows, total };
}
