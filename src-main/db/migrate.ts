import type { Db } from './connection';

export interface Migration {
  /** Strictly increasing; stored in `PRAGMA user_version`. */
  version: number;
  name: string;
  up(db: Db): void;
}

export class DatabaseFromTheFutureError extends Error {
  constructor(found: number, known: number) {
    super(`Database schema version ${found} is newer than this release knows (${known}); refusing to open it`);
  }
}

/**
 * Applies every migration above the database's `user_version`, all in one transaction:
 * either the database reaches the newest version or it stays exactly as it was.
 */
export function migrate(db: Db, migrations: readonly Migration[]): { from: number; to: number } {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].version === sorted[i - 1].version) {
      throw new Error(`Two migrations share version ${sorted[i].version}`);
    }
  }
  const from = db.pragma('user_version', { simple: true }) as number;
  const known = sorted.at(-1)?.version ?? 0;
  if (from > known) throw new DatabaseFromTheFutureError(from, known);
  const pending = sorted.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from };
  db.transaction(() => {
    for (const migration of pending) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
  }).immediate();
  return { from, to: known };
}
