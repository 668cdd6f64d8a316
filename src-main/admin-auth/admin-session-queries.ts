import type { Db } from '../db/connection';
import { statement } from '../db/statements';

/** The owner of the `admin_sessions` and `login_failures` tables: every statement on them is here. */

export interface AdminSessionRow {
  token_hash: string;
  account_id: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string | null;
}

export interface LoginFailureRow {
  username: string;
  failures: number;
  first_failed_at: number;
  locked_until: number | null;
}

export function adminSessionByHash(db: Db, tokenHash: string): AdminSessionRow | undefined {
  return statement(db, 'SELECT * FROM admin_sessions WHERE token_hash = ?').get(tokenHash) as AdminSessionRow | undefined;
}

export function insertAdminSession(db: Db, row: AdminSessionRow): void {
  statement(db, 'INSERT INTO admin_sessions (token_hash, account_id, created_at, expires_at, last_seen_at, ip) VALUES (?, ?, ?, ?, ?, ?)').run(
    row.token_hash,
    row.account_id,
    row.created_at,
    row.expires_at,
    row.last_seen_at,
    row.ip,
  );
}

export function touchAdminSession(db: Db, tokenHash: string, now: number): void {
  statement(db, 'UPDATE admin_sessions SET last_seen_at = ? WHERE token_hash = ?').run(now, tokenHash);
}

export function deleteAdminSession(db: Db, tokenHash: string): void {
  statement(db, 'DELETE FROM admin_sessions WHERE token_hash = ?').run(tokenHash);
}

/** Ends the sessions of these accounts, all but the one whose hash is `keep`. */
export function deleteAdminSessionsOf(db: Db, accountIds: readonly number[], keep: string | null): void {
  statement(db, 'DELETE FROM admin_sessions WHERE account_id IN (SELECT value FROM json_each(?)) AND token_hash IS NOT ?').run(
    JSON.stringify(accountIds),
    keep,
  );
}

export function deleteExpiredAdminSessions(db: Db, now: number): void {
  statement(db, 'DELETE FROM admin_sessions WHERE expires_at <= ?').run(now);
}

export function loginFailureOf(db: Db, username: string): LoginFailureRow | undefined {
  return statement(db, 'SELECT * FROM login_failures WHERE username = ?').get(username) as LoginFailureRow | undefined;
}

export function saveLoginFailure(db: Db, row: LoginFailureRow): void {
  statement(
    db,
    `INSERT INTO login_failures (username, failures, first_failed_at, locked_until) VALUES (?, ?, ?, ?)
     ON CONFLICT(username) DO UPDATE SET failures = excluded.failures,
       first_failed_at = excluded.first_failed_at, locked_until = excluded.locked_until`,
  ).run(row.username, row.failures, row.first_failed_at, row.locked_until);
}

export function clearLoginFailures(db: Db, username: string): void {
  statement(db, 'DELETE FROM login_failures WHERE username = ?').run(username);
}
