import type { Db } from '../db/connection';
import type { Vault } from './vault';
import { cencKeyAad, controlWordAad, packageKeyAad, secretAad, signingSeedAad, tokenAad } from './sealing-aad';

/**
 * Every column of the database that holds a value sealed under the master key, with how to
 * find its rows and the associated data (row identity) it was sealed with. Re-keying walks this
 * list, so a column missing here would no longer open after a re-key:
 *
 *   NEW SEALED COLUMNS MUST BE REGISTERED HERE (one entry each), in the same change that adds them.
 */
interface SealedColumn {
  table: string;
  /** Columns that identify a row (used in the UPDATE's WHERE clause and by `aad`). */
  keyColumns: readonly string[];
  /** The BLOB column holding the sealed value; NULL values are skipped. */
  column: string;
  /** The associated data the value was sealed with, from the row's key columns. */
  aad(row: Record<string, unknown>): string;
}

export const sealedColumns: readonly SealedColumn[] = [
  { table: 'accounts', keyColumns: ['id', 'token_hash'], column: 'token_sealed', aad: (r) => tokenAad(String(r.token_hash)) },
  { table: 'secrets', keyColumns: ['name'], column: 'current_sealed', aad: (r) => secretAad('current', String(r.name)) },
  { table: 'secrets', keyColumns: ['name'], column: 'previous_sealed', aad: (r) => secretAad('previous', String(r.name)) },
  {
    table: 'control_words',
    keyColumns: ['channel_id', 'period_seconds', 'period', 'generation'],
    column: 'key_sealed',
    aad: (r) => controlWordAad(String(r.channel_id), Number(r.period_seconds), Number(r.period), Number(r.generation)),
  },
  {
    table: 'cenc_keys',
    keyColumns: ['channel_id', 'period_seconds', 'period', 'generation'],
    column: 'key_sealed',
    aad: (r) => cencKeyAad(String(r.channel_id), Number(r.period_seconds), Number(r.period), Number(r.generation)),
  },
  {
    table: 'package_keys',
    keyColumns: ['package_id', 'epoch'],
    column: 'key_sealed',
    aad: (r) => packageKeyAad(String(r.package_id), Number(r.epoch)),
  },
  { table: 'cas_signing_keys', keyColumns: ['id'], column: 'seed_sealed', aad: (r) => signingSeedAad(Number(r.id)) },
];

function quoted(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Bad SQL identifier ${name}`);
  return `"${name}"`;
}

export function tableExists(db: Db, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

export interface ResealReport {
  /** Values re-sealed per `table.column`. */
  counts: Record<string, number>;
  total: number;
}

/**
 * Opens every registered sealed value with `from` and seals it again with `to`, in ONE
 * transaction: either every value moves to the new key or none does. A value that does not
 * open under `from` aborts the whole transaction (nothing changes).
 */
export function resealAll(db: Db, from: Vault, to: Vault, columns: readonly SealedColumn[] = sealedColumns): ResealReport {
  return db.transaction(() => resealInTransaction(db, from, to, columns)).immediate();
}

/** The same, inside a transaction the caller holds (`BEGIN IMMEDIATE` ... `COMMIT`). */
export function resealInTransaction(db: Db, from: Vault, to: Vault, columns: readonly SealedColumn[] = sealedColumns): ResealReport {
  const counts: Record<string, number> = {};
  let total = 0;
  for (const spec of columns) {
    if (!tableExists(db, spec.table)) continue;
    const keys = spec.keyColumns.map(quoted);
    const column = quoted(spec.column);
    const rows = db
      .prepare(`SELECT ${keys.join(', ')}, ${column} AS sealed FROM ${quoted(spec.table)} WHERE ${column} IS NOT NULL`)
      .all() as Array<Record<string, unknown> & { sealed: Buffer }>;
    const update = db.prepare(
      `UPDATE ${quoted(spec.table)} SET ${column} = ? WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}`,
    );
    for (const row of rows) {
      const aad = spec.aad(row);
      const plain = from.open(row.sealed, aad);
      update.run(to.seal(plain, aad), ...spec.keyColumns.map((k) => row[k]));
      plain.fill(0);
    }
    counts[`${spec.table}.${spec.column}`] = rows.length;
    total += rows.length;
  }
  return { counts, total };
}

/** Whether any registered column holds a sealed value (so only the key that sealed it will do). */
export function anySealedValue(db: Db, columns: readonly SealedColumn[] = sealedColumns): boolean {
  return columns.some(
    (spec) => tableExists(db, spec.table) && db.prepare(`SELECT 1 FROM ${quoted(spec.table)} WHERE ${quoted(spec.column)} IS NOT NULL LIMIT 1`).get() !== undefined,
  );
}

/** Checks that every registered sealed value opens under `vault`; returns the first failure. */
export function verifySealed(db: Db, vault: Vault, columns: readonly SealedColumn[] = sealedColumns): string | null {
  for (const spec of columns) {
    if (!tableExists(db, spec.table)) continue;
    const keys = spec.keyColumns.map(quoted);
    const column = quoted(spec.column);
    const rows = db
      .prepare(`SELECT ${keys.join(', ')}, ${column} AS sealed FROM ${quoted(spec.table)} WHERE ${column} IS NOT NULL`)
      .iterate() as IterableIterator<Record<string, unknown> & { sealed: Buffer }>;
    for (const row of rows) {
      try {
        vault.open(row.sealed, spec.aad(row)).fill(0);
      } catch {
        return `${spec.table}.${spec.column}`;
      }
    }
  }
  return null;
}
