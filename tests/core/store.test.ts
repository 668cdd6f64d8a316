import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/connection';
import { DatabaseFromTheFutureError, migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { explainAccountList } from '../../src-main/accounts/account-queries';
import { Vault } from '../../src-main/crypto/vault';
import { FileMasterKeyProvider } from '../../src-main/crypto/master-key';
import { hashPassword, verifyPassword } from '../../src-main/crypto/passwords';
import { sha256Hex } from '../../src-main/crypto/tokens';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cas-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('bring a new database to the newest version with WAL and foreign keys on', () => {
    const db = openDatabase(join(tempDir(), 'cas.db'));
    const { from, to } = migrate(db, migrations);
    expect(from).toBe(0);
    expect(to).toBe(migrations.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(migrate(db, migrations)).toEqual({ from: to, to });
    db.close();
  });

  it('refuse a database from a newer release', () => {
    const db = openDatabase(join(tempDir(), 'cas.db'));
    migrate(db, migrations);
    db.pragma('user_version = 99999');
    expect(() => migrate(db, migrations)).toThrow(DatabaseFromTheFutureError);
    db.close();
  });

  it('leave the database untouched when a migration fails halfway', () => {
    const db = openDatabase(join(tempDir(), 'cas.db'));
    const broken = [
      { version: 1, name: 'ok', up: (d: typeof db) => d.exec('CREATE TABLE a (x)') },
      { version: 2, name: 'broken', up: (d: typeof db) => d.exec('CREATE TABLE nonsense (') },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('account list query plans', () => {
  const db = openDatabase(':memory:');
  migrate(db, migrations);
  const now = Date.now();
  const cases: Array<[string, Parameters<typeof explainAccountList>[1], RegExp]> = [
    ['unfiltered pages walk the username index', {}, /USING INDEX sqlite_autoindex_accounts_1/],
    ['text search uses the trigram index', { q: 'alice' }, /VIRTUAL TABLE INDEX/],
    ['short text search uses the username index', { q: 'al' }, /sqlite_autoindex_accounts_1/],
    ['package filter uses account_packages_by_package', { package: 'basic' }, /account_packages_by_package/],
    ['HWID prefix filter (any case) uses devices_by_hwid_nocase', { hwidPrefix: 'hw-1' }, /devices_by_hwid_nocase \(hwid>\? AND hwid<\?\)/],
    ['token prefix filter uses accounts_by_token_prefix', { tokenPrefix: 'abc' }, /accounts_by_token_prefix \(token_prefix>\? AND token_prefix<\?\)/],
    ['token filter uses the token hash index', { tokenHash: sha256Hex('x') }, /sqlite_autoindex_accounts_2|token_hash/],
    ['role filter uses accounts_by_role', { role: 'observer' }, /accounts_by_role/],
    ['disabled filter uses accounts_by_enabled', { status: 'disabled' }, /accounts_by_enabled/],
  ];
  for (const [name, filter, expected] of cases) {
    it(name, () => {
      const plan = explainAccountList(db, filter, now).join('\n');
      expect(plan).toMatch(expected);
      expect(plan).not.toMatch(/^SCAN a$/m);
    });
  }
});

describe('vault', () => {
  it('opens what it sealed only with the same associated data', () => {
    const vault = new Vault(Buffer.alloc(32, 7));
    const sealed = vault.seal('control word', 'keys:channel-a:42');
    expect(vault.openText(sealed, 'keys:channel-a:42')).toBe('control word');
    expect(() => vault.open(sealed, 'keys:channel-b:42')).toThrow();
    expect(() => new Vault(Buffer.alloc(32, 8)).open(sealed, 'keys:channel-a:42')).toThrow();
  });
});

describe('master key file', () => {
  it('is created once with mode 0600 and read back unchanged', async () => {
    const file = join(tempDir(), 'master.key');
    const provider = new FileMasterKeyProvider(file);
    const first = await provider.load();
    expect(first.length).toBe(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await provider.load()).equals(first)).toBe(true);
  });
});

describe('passwords', () => {
  it('verify the right password and refuse a wrong one or a missing hash', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('wrong horse', hash)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });
});
