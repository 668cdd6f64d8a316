import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import type { AccountStatus, Role } from '../../src-shared/schemas/accounts';

export interface AccountRow {
  id: number;
  username: string;
  password_hash: string | null;
  role: Role;
  comment: string;
  email: string | null;
  token_hash: string;
  token_sealed: Buffer;
  /** The token's first characters (TOKEN_PREFIX_LENGTH), for prefix search; null until filled at start-up. */
  token_prefix: string | null;
  enabled: 0 | 1;
  expires_at: number | null;
  max_connections: number;
  max_devices: number;
  allowed_ips: string;
  created_at: number;
  updated_at: number;
}

export function statusOf(row: Pick<AccountRow, 'enabled' | 'expires_at'>, now: number): AccountStatus {
  if (!row.enabled) return 'disabled';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return 'active';
}

export function accountById(db: Db, id: number): AccountRow | undefined {
  return statement(db, 'SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
}

export function accountByUsername(db: Db, username: string): AccountRow | undefined {
  return statement(db, 'SELECT * FROM accounts WHERE username = ?').get(username) as AccountRow | undefined;
}

export function accountByTokenHash(db: Db, tokenHash: string): AccountRow | undefined {
  return statement(db, 'SELECT * FROM accounts WHERE token_hash = ?').get(tokenHash) as AccountRow | undefined;
}

export function packagesOfAccount(db: Db, accountId: number): string[] {
  return (
    statement(db, 'SELECT package_id FROM account_packages WHERE account_id = ? ORDER BY package_id').all(accountId) as Array<{
      package_id: string;
    }>
  ).map((r) => r.package_id);
}

/** Per account of `ids`, its packages in id order. */
export function packagesOfAccounts(db: Db, ids: readonly number[]): Map<number, string[]> {
  const packages = new Map<number, string[]>();
  if (ids.length === 0) return packages;
  const rows = statement(
    db,
    `SELECT account_id, package_id FROM account_packages
     WHERE account_id IN (SELECT value FROM json_each(?)) ORDER BY account_id, package_id`,
  ).all(JSON.stringify(ids)) as Array<{ account_id: number; package_id: string }>;
  for (const row of rows) {
    const list = packages.get(row.account_id) ?? [];
    list.push(row.package_id);
    packages.set(row.account_id, list);
  }
  return packages;
}

/** Per package, how many accounts hold it. */
export function holderCountsByPackage(db: Db): Map<string, number> {
  const rows = statement(db, 'SELECT package_id, count(*) AS n FROM account_packages GROUP BY package_id').all() as Array<{
    package_id: string;
    n: number;
  }>;
  return new Map(rows.map((r) => [r.package_id, r.n]));
}

/** The usernames of the accounts among `ids` that exist. */
export function usernamesOf(db: Db, ids: readonly number[]): Map<number, string> {
  if (ids.length === 0) return new Map();
  const rows = statement(db, 'SELECT id, username FROM accounts WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify([...new Set(ids)]),
  ) as Array<{ id: number; username: string }>;
  return new Map(rows.map((r) => [r.id, r.username]));
}

/** How many accounts exist (kept by a trigger in `counters`, so no table scan). */
export function accountCount(db: Db): number {
  return (statement(db, "SELECT value AS n FROM counters WHERE name = 'accounts'").get() as { n: number }).n;
}

export function hasAdminAccount(db: Db): boolean {
  return statement(db, "SELECT 1 FROM accounts WHERE role = 'admin' LIMIT 1").get() !== undefined;
}

/** The first enabled, unexpired administrator at `now`, if any. */
export function firstUsableAdmin(db: Db, now: number): number | null {
  const row = statement(
    db,
    `SELECT id FROM accounts WHERE role = 'admin' AND enabled = 1 AND (expires_at IS NULL OR expires_at > ?)
     ORDER BY id LIMIT 1`,
  ).get(now) as { id: number } | undefined;
  return row?.id ?? null;
}

export interface AccountFilter {
  q?: string;
  package?: string;
  /** HWID prefix, any letter case (a range over `devices_by_hwid_nocase`). */
  hwidPrefix?: string;
  /** Token prefix of at most TOKEN_PREFIX_LENGTH characters (a range over `accounts_by_token_prefix`). */
  tokenPrefix?: string;
  tokenHash?: string;
  /** Only these accounts (the service's answer to a token prefix longer than the stored one). */
  ids?: readonly number[];
  role?: Role;
  status?: AccountStatus;
  /** Expiry within the next N days (uses `accounts_by_expiry`). */
  expiresWithinDays?: number;
}

const SORT_COLUMNS = { username: 'username', createdAt: 'created_at', expiresAt: 'expires_at' } as const;

/**
 * The bounds of a prefix as a half-open range [prefix, prefix + DEL): HWIDs and tokens are
 * printable ASCII, which all sorts below DEL (0x7f), so the range holds exactly the strings
 * starting with `prefix` and an index on the column answers it.
 */
function prefixRange(prefix: string): [string, string] {
  return [prefix, `${prefix}\x7f`];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Above this many holders of a package, a page is found faster by walking the sort index and
 * probing membership than by collecting every holder and sorting them.
 */
const LARGE_PACKAGE = 2000;

export function packageHolderCount(db: Db, packageId: string): number {
  return (statement(db, 'SELECT count(*) AS n FROM account_packages WHERE package_id = ?').get(packageId) as { n: number }).n;
}

function whereOf(filter: AccountFilter, now: number, largePackage = false): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.q) {
    if ([...filter.q].length >= 3) {
      // Trigram full-text index: substring match on username, e-mail and comment.
      clauses.push('a.id IN (SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ?)');
      params.push(`"${filter.q.replace(/"/g, '""')}"`);
    } else {
      clauses.push("a.username LIKE ? ESCAPE '\\'");
      params.push(`${escapeLike(filter.q)}%`);
    }
  }
  if (filter.package) {
    clauses.push(
      largePackage
        ? 'EXISTS (SELECT 1 FROM account_packages p WHERE p.account_id = a.id AND p.package_id = ?)'
        : 'a.id IN (SELECT account_id FROM account_packages WHERE package_id = ?)',
    );
    params.push(filter.package);
  }
  if (filter.hwidPrefix) {
    clauses.push('a.id IN (SELECT account_id FROM devices WHERE hwid COLLATE NOCASE >= ? AND hwid COLLATE NOCASE < ?)');
    params.push(...prefixRange(filter.hwidPrefix.toLowerCase()));
  }
  if (filter.tokenPrefix) {
    clauses.push('a.token_prefix >= ? AND a.token_prefix < ?');
    params.push(...prefixRange(filter.tokenPrefix));
  }
  if (filter.ids) {
    clauses.push('a.id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.ids));
  }
  if (filter.tokenHash) {
    clauses.push('a.token_hash = ?');
    params.push(filter.tokenHash);
  }
  if (filter.role) {
    clauses.push('a.role = ?');
    params.push(filter.role);
  }
  if (filter.status === 'disabled') clauses.push('a.enabled = 0');
  if (filter.status === 'expired') {
    clauses.push('a.enabled = 1 AND a.expires_at <= ?');
    params.push(now);
  }
  if (filter.status === 'active') {
    clauses.push('a.enabled = 1 AND (a.expires_at IS NULL OR a.expires_at > ?)');
    params.push(now);
  }
  if (filter.expiresWithinDays !== undefined) {
    clauses.push('a.expires_at > ? AND a.expires_at <= ? AND a.enabled = 1');
    params.push(now, now + filter.expiresWithinDays * 86_400_000);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * The whole filtered list in username order, a chunk at a time (keyset paging, so each chunk is
 * one indexed query and no statement stays open between chunks while the caller streams).
 */
export function* accountRowChunks(db: Db, filter: AccountFilter, now: number, chunkSize = 2000): Generator<AccountRow[]> {
  const where = whereOf(filter, now);
  const keyset = where.sql ? `${where.sql} AND a.username > ?` : 'WHERE a.username > ?';
  let after = '';
  for (;;) {
    const rows = statement(db, `SELECT a.* FROM accounts a ${keyset} ORDER BY a.username LIMIT ?`).all(
      ...where.params,
      after,
      chunkSize,
    ) as AccountRow[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < chunkSize) return;
    after = rows[rows.length - 1].username;
  }
}

export function listAccountRows(
  db: Db,
  filter: AccountFilter,
  options: { now: number; page: number; pageSize: number; sort: keyof typeof SORT_COLUMNS; order: 'asc' | 'desc' },
): { rows: AccountRow[]; total: number } {
  const holders = filter.package ? packageHolderCount(db, filter.package) : 0;
  const where = whereOf(filter, options.now, holders > LARGE_PACKAGE);
  const column = SORT_COLUMNS[options.sort];
  const direction = options.order === 'desc' ? 'DESC' : 'ASC';
  const rows = statement(
    db,
    `SELECT a.* FROM accounts a ${where.sql} ORDER BY a.${column} ${direction}, a.id ${direction} LIMIT ? OFFSET ?`,
  ).all(...where.params, options.pageSize, (options.page - 1) * options.pageSize) as AccountRow[];
  const onlyPackage = filter.package && Object.values({ ...filter, package: undefined }).every((v) => v === undefined);
  const total = !where.sql
    ? accountCount(db)
    : onlyPackage
      ? holders
      : (statement(db, `SELECT count(*) AS n FROM accounts a ${where.sql}`).get(...where.params) as { n: number }).n;
  return { rows, total };
}

export function explainAccountList(db: Db, filter: AccountFilter, now: number): string[] {
  const where = whereOf(filter, now);
  return (
    db
      .prepare(`EXPLAIN QUERY PLAN SELECT a.* FROM accounts a ${where.sql} ORDER BY a.username ASC, a.id ASC LIMIT 50`)
      .all(...where.params) as Array<{ detail: string }>
  ).map((r) => r.detail);
}

export function replaceAccountPackages(db: Db, accountId: number, packageIds: readonly string[]): void {
  statement(db, 'DELETE FROM account_packages WHERE account_id = ?').run(accountId);
  const insert = statement(db, 'INSERT INTO account_packages (account_id, package_id) VALUES (?, ?)');
  for (const packageId of new Set(packageIds)) insert.run(accountId, packageId);
}

/** The columns of a new account; `id` is assigned by SQLite. */
export type NewAccountRow = Omit<AccountRow, 'id'>;

export function insertAccount(db: Db, row: NewAccountRow): number {
  return Number(
    statement(
      db,
      `INSERT INTO accounts (username, password_hash, role, comment, email, token_hash, token_sealed, token_prefix, enabled,
         expires_at, max_connections, max_devices, allowed_ips, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.username,
      row.password_hash,
      row.role,
      row.comment,
      row.email,
      row.token_hash,
      row.token_sealed,
      row.token_prefix,
      row.enabled,
      row.expires_at,
      row.max_connections,
      row.max_devices,
      row.allowed_ips,
      row.created_at,
      row.updated_at,
    ).lastInsertRowid,
  );
}

type SealedTokenRow = Pick<AccountRow, 'id' | 'token_hash' | 'token_sealed'>;

/** Up to `limit` accounts whose stored token prefix starts with `prefix` (candidates for a longer prefix). */
export function accountsWithTokenPrefix(db: Db, prefix: string, limit: number): SealedTokenRow[] {
  return statement(db, 'SELECT id, token_hash, token_sealed FROM accounts WHERE token_prefix >= ? AND token_prefix < ? LIMIT ?').all(
    ...prefixRange(prefix),
    limit,
  ) as SealedTokenRow[];
}

/** Up to `limit` accounts whose token prefix is not stored yet (rows older than migration 440). */
export function accountsWithoutTokenPrefix(db: Db, limit: number): SealedTokenRow[] {
  return statement(db, 'SELECT id, token_hash, token_sealed FROM accounts WHERE token_prefix IS NULL LIMIT ?').all(limit) as SealedTokenRow[];
}

/** Writes the given columns of one account (names come from code, values are bound). */
export function updateAccountColumns(db: Db, id: number, columns: Partial<Omit<AccountRow, 'id' | 'created_at'>>): void {
  const names = Object.keys(columns) as Array<keyof typeof columns>;
  if (names.length === 0) return;
  statement(db, `UPDATE accounts SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`).run(...names.map((n) => columns[n]), id);
}

export function deleteAccount(db: Db, id: number): void {
  statement(db, 'DELETE FROM accounts WHERE id = ?').run(id);
}

// ---- bulk changes: each takes the ids as a JSON array and returns the rows changed ----------

const IN_IDS = 'id IN (SELECT value FROM json_each(?))';

export function setAccountsEnabled(db: Db, ids: readonly number[], enabled: boolean, now: number): number {
  return statement(db, `UPDATE accounts SET enabled = ?, updated_at = ? WHERE ${IN_IDS}`).run(enabled ? 1 : 0, now, JSON.stringify(ids)).changes;
}

export function deleteAccounts(db: Db, ids: readonly number[]): number {
  return statement(db, `DELETE FROM accounts WHERE ${IN_IDS}`).run(JSON.stringify(ids)).changes;
}

/** Extends from the later of `now` and the current expiry; accounts without expiry stay unlimited. */
export function extendAccounts(db: Db, ids: readonly number[], byMs: number, now: number): number {
  return statement(
    db,
    `UPDATE accounts SET expires_at = max(expires_at, ?) + ?, updated_at = ?
     WHERE ${IN_IDS} AND expires_at IS NOT NULL`,
  ).run(now, byMs, now, JSON.stringify(ids)).changes;
}

export function addPackageToAccounts(db: Db, ids: readonly number[], packageId: string): number {
  return statement(
    db,
    `INSERT OR IGNORE INTO account_packages (account_id, package_id)
     SELECT id, ? FROM accounts WHERE ${IN_IDS}`,
  ).run(packageId, JSON.stringify(ids)).changes;
}

export function removePackageFromAccounts(db: Db, ids: readonly number[], packageId: string): number {
  return statement(db, 'DELETE FROM account_packages WHERE package_id = ? AND account_id IN (SELECT value FROM json_each(?))').run(
    packageId,
    JSON.stringify(ids),
  ).changes;
}
