import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import { usernamesOf } from '../accounts/account-queries';
import { hwidsOf } from '../accounts/account-device-queries';

/** The owner of the `device_sessions` and `device_nonces` tables: every statement on them is here. */


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
    `SELECT s.* FROM device_sessions s ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT ? OFFSET ?`,
  ).all(...params, pageSize, (page - 1) * pageSize) as DeviceSessionRow[];
  const hwids = hwidsOf(
    db,
    sessions.map((s) => s.device_id),
  );
  // A session ends with its account (foreign key), so every account here exists.
  const usernames = usernamesOf(
    db,
    sessions.map((s) => s.account_id),
  );
  const rows = sessions.map((s) => ({ ...s, hwid: hwids.get(s.device_id) ?? '', username: usernames.get(s.account_id) ?? '' }));
  const total = (statement(db, `SELECT count(*) AS n FROM device_sessions s ${where}`).get(...params) as { n: number }).n;
  return { rows, total };
}
