import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/connection';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';

/**
 * One owner per table: only a table's queries module writes SQL naming it; every other module
 * calls the owner's functions. Paths are relative to src-main.
 */
const OWNERS: Record<string, string> = {
  access_log: 'access/access-log.ts',
  access_hourly: 'access/access-log.ts',
  viewing_sessions: 'access/viewing-session-queries.ts',
  viewing_peaks: 'access/viewing-session-queries.ts',
  sharing_flags: 'access/sharing.ts',
  account_suspensions: 'access/sharing.ts',
  ip_rules: 'access/ip-lists.ts',
  accounts: 'accounts/account-queries.ts',
  accounts_fts: 'accounts/account-queries.ts',
  account_packages: 'accounts/account-queries.ts',
  counters: 'accounts/account-queries.ts',
  admin_sessions: 'admin-auth/admin-session-queries.ts',
  master_key_check: 'crypto/master-key-check.ts',
  login_failures: 'admin-auth/admin-session-queries.ts',
  api_keys: 'api-keys/api-key-service.ts',
  audit_log: 'audit/audit-log.ts',
  channels: 'channels/channel-queries.ts',
  channel_packages: 'channels/channel-queries.ts',
  channel_logos: 'logos/logo-service.ts',
  packages: 'packages/package-queries.ts',
  control_words: 'keys/key-queries.ts',
  cenc_keys: 'keys/cenc-key-queries.ts',
  package_keys: 'keys/key-queries.ts',
  key_rotations: 'keys/key-queries.ts',
  devices: 'accounts/account-device-queries.ts',
  device_sessions: 'devices/device-queries.ts',
  device_nonces: 'devices/device-queries.ts',
  cas_signing_keys: 'devices/ecm-emm/signing-key.ts',
  settings: 'kernel/settings-store.ts',
  secrets: 'kernel/settings-store.ts',
};

/** Files that may name any table, and why. */
const EXEMPT_FILES: Record<string, string> = {
  'db/migrations/': 'migrations create and change the tables',
  'db/where-clause.ts': "the generic page query; its callers (the owners) pass their table's name",
  'crypto/sealed-columns.ts': 'the re-seal walker over every sealed column, table names as data',
};

/** A table a file other than its owner may name, and why. */
const EXEMPT_USES: Array<{ file: string; table: string; reason: string }> = [
  {
    file: 'accounts/account-queries.ts',
    table: 'devices',
    reason: 'the account list filters by device hwid inside its one indexed query (`a.id IN (SELECT account_id FROM devices ...)`)',
  },
];

const SRC = join(__dirname, '../../src-main');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC)
  .map((path) => ({ file: relative(SRC, path).split('\\').join('/'), text: readFileSync(path, 'utf8') }))
  .filter(({ file }) => !Object.keys(EXEMPT_FILES).some((exempt) => file.startsWith(exempt)));

/** The tables a source text names in SQL, or hands to the generic page query. */
function tablesNamedIn(text: string, tables: readonly string[]): Set<string> {
  const named = new Set<string>();
  for (const table of tables) {
    if (new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\\s+${table}\\b`).test(text)) named.add(table);
    if (new RegExp(`pageOfRows(?:<[^>]*>)?\\(\\s*\\w+\\s*,\\s*['"\`]${table}['"\`]`).test(text)) named.add(table);
  }
  return named;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function migratedTables(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cas-owners-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'cas.db'));
  migrate(db, migrations);
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
    name: string;
    sql: string;
  }>;
  db.close();
  // Full-text indexes keep shadow tables (`accounts_fts_data`, ...) that no code names.
  const virtual = rows.filter((r) => /^CREATE VIRTUAL TABLE/i.test(r.sql)).map((r) => r.name);
  return rows.map((r) => r.name).filter((name) => !virtual.some((v) => name.startsWith(`${v}_`)));
}

describe('one owner per table', () => {
  it('names an owner for every table the migrations create', () => {
    const unowned = migratedTables().filter((table) => OWNERS[table] === undefined);
    expect(unowned).toEqual([]);
  });

  it('lets only the owner of a table write SQL naming it', () => {
    const tables = Object.keys(OWNERS);
    const trespasses: string[] = [];
    for (const { file, text } of files) {
      for (const table of tablesNamedIn(text, tables)) {
        if (OWNERS[table] === file) continue;
        if (EXEMPT_USES.some((use) => use.file === file && use.table === table)) continue;
        trespasses.push(`${file} names ${table} (owner: ${OWNERS[table]})`);
      }
    }
    expect(trespasses).toEqual([]);
  });

  it('builds no SQL with a table name taken from a variable outside the exempt files', () => {
    const dynamic = files.filter(({ text }) => /\b(?:FROM|JOIN|INTO|UPDATE)\s+\$\{/.test(text)).map(({ file }) => file);
    expect(dynamic).toEqual([]);
  });

  it('finds a table named in SQL, so a trespass cannot pass unseen', () => {
    expect([...tablesNamedIn("statement(db, 'SELECT id FROM channels WHERE id = ?')", ['channels'])]).toEqual(['channels']);
    expect([...tablesNamedIn('`SELECT s.* FROM device_sessions s\n JOIN\n  accounts a ON a.id = s.account_id`', ['accounts'])]).toEqual(['accounts']);
    expect([...tablesNamedIn("pageOfRows<Row>(db, 'audit_log', where, 'at DESC', 1, 50)", ['audit_log'])]).toEqual(['audit_log']);
    expect([...tablesNamedIn("throw new ValidationError('channels: unknown channel', 'channels')", ['channels'])]).toEqual([]);
  });

  it('keeps SQL and transactions out of route handlers (they call services and queries modules)', () => {
    // The liveness probe's `SELECT 1` reads no table: it only asks whether the database answers.
    const allowed = new Set(["statement(ctx.db, 'SELECT 1')"]);
    const inRoutes = files
      .filter(({ file }) => file.endsWith('-routes.ts'))
      .flatMap(({ file, text }) =>
        [...text.matchAll(/statement\([^)]*\)|\bprepare\(|\.transaction\(/g)].filter((m) => !allowed.has(m[0])).map((m) => `${file}: ${m[0]}`),
      );
    expect(inRoutes).toEqual([]);
  });

  it('owns each table by a file that exists', () => {
    const all = new Set(sourceFiles(SRC).map((path) => relative(SRC, path).split('\\').join('/')));
    expect(Object.values(OWNERS).filter((file) => !all.has(file))).toEqual([]);
    expect(EXEMPT_USES.filter((use) => !all.has(use.file))).toEqual([]);
  });
});
