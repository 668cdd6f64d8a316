import type { Db } from '../db/connection';
import { statement } from '../db/statements';

/** The owner of the `packages` table: every statement on it is here. */

export interface PackageRow {
  id: string;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export function packageRowById(db: Db, id: string): PackageRow | undefined {
  return statement(db, 'SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
}

/** Every package, by name then id. */
export function allPackageRows(db: Db): PackageRow[] {
  return statement(db, 'SELECT * FROM packages ORDER BY name, id').all() as PackageRow[];
}

/** Every package id, in id order. */
export function allPackageIds(db: Db): string[] {
  return (statement(db, 'SELECT id FROM packages ORDER BY id').all() as Array<{ id: string }>).map((p) => p.id);
}

export function packageCount(db: Db): number {
  return (statement(db, 'SELECT count(*) AS n FROM packages').get() as { n: number }).n;
}

/** The ids of `ids` that name no package, in the order given. */
export function missingPackages(db: Db, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const found = new Set(
    (statement(db, 'SELECT id FROM packages WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as Array<{ id: string }>).map(
      (r) => r.id,
    ),
  );
  return ids.filter((id) => !found.has(id));
}

export function insertPackage(db: Db, row: PackageRow): void {
  statement(db, 'INSERT INTO packages (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
    row.id,
    row.name,
    row.description,
    row.created_at,
    row.updated_at,
  );
}

export function updatePackage(db: Db, id: string, fields: Pick<PackageRow, 'name' | 'description' | 'updated_at'>): void {
  statement(db, 'UPDATE packages SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(
    fields.name,
    fields.description,
    fields.updated_at,
    id,
  );
}

export function deletePackage(db: Db, id: string): void {
  statement(db, 'DELETE FROM packages WHERE id = ?').run(id);
}
