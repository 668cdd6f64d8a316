import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestCas } from '../helpers/test-cas';
import { sealedColumns, resealAll } from '../../src-main/crypto/sealed-columns';
import { Vault, VaultError } from '../../src-main/crypto/vault';
import { generateMasterKey } from '../../src-main/crypto/master-key';

const ROOT = resolve(__dirname, '../..');

describe('sealed columns', () => {
  it('registers every sealed column of the schema, so a re-key cannot miss one', async () => {
    const t = await startTestCas();
    try {
      const db = t.cas.ctx.db;
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
      const found: string[] = [];
      for (const table of tables) {
        for (const column of db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>) {
          if (/sealed/.test(column.name)) found.push(`${table}.${column.name}`);
        }
      }
      const registered = new Set(sealedColumns.map((c) => `${c.table}.${c.column}`));
      expect(found.filter((c) => !registered.has(c))).toEqual([]);
      expect(found.length).toBeGreaterThanOrEqual(5);
    } finally {
      await t.dispose();
    }
  });

  it('re-seals in one transaction: a value that does not open aborts the whole re-key', async () => {
    const t = await startTestCas();
    try {
      await t.admin.post('/api/admin/channels', { id: 'rk', name: 'RK' });
      t.cas.services.keys.controlWords.currentControlWords('rk');
      const db = t.cas.ctx.db;
      const before = db.prepare('SELECT key_sealed FROM control_words ORDER BY period').all();
      // Corrupt one account token: its AAD no longer matches.
      db.prepare("UPDATE accounts SET token_hash = 'x' || token_hash WHERE username = 'admin'").run();
      expect(() => resealAll(db, t.cas.ctx.vault, new Vault(generateMasterKey()))).toThrow(VaultError);
      expect(db.prepare('SELECT key_sealed FROM control_words ORDER BY period').all()).toEqual(before);
    } finally {
      await t.dispose();
    }
  });
});

describe('cas-studio rekey', () => {
  it('re-encrypts every key and token under a new master key, and the CAS still opens them all', async () => {
    let t = await startTestCas();
    const dataDir = t.dataDir;
    try {
      await t.admin.post('/api/admin/channels', { id: 'rekeyed', name: 'Rekeyed', packages: ['basic'] });
      const viewer = await t.admin.post('/api/admin/accounts', { username: 'rekeyviewer', packages: ['basic'] });
      const apiKey = (await t.admin.post('/api/admin/api-keys', { name: 'p', scopes: ['packager'] })).body.key;
      const before = (await t.client.withToken(apiKey).get('/api/v1/packager/rekeyed/keyinfo')).body;
      const packageKey = t.cas.services.keys.packageEpochs.currentPackageKeys('basic').current;
      await t.stop();

      const keyFile = join(dataDir, 'master.key');
      const oldKey = readFileSync(keyFile, 'utf8');
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/main.ts', 'rekey', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/Re-encrypted \d+ values under a new master key/);
      expect(result.stdout).toContain('control_words.key_sealed');
      expect(result.stdout).toContain('accounts.token_sealed');
      const newKey = readFileSync(keyFile, 'utf8');
      expect(newKey).not.toBe(oldKey);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(existsSync(`${keyFile}.previous`)).toBe(false);

      t = await startTestCas({ dataDir, clock: t.clock });
      const after = (await t.client.withToken(apiKey).get('/api/v1/packager/rekeyed/keyinfo')).body;
      expect(after.current.key).toBe(before.current.key);
      expect(t.cas.services.keys.packageEpochs.packageKeyFor('basic', packageKey.epoch)!.key.equals(packageKey.key)).toBe(true);
      expect((await t.admin.get(`/api/admin/accounts/${viewer.body.id}`)).body.token).toBe(viewer.body.token);
      const key = await fetch(`${t.cas.apiUrl}/keys/rekeyed/${before.current.period}`, { headers: { authorization: `Bearer ${viewer.body.token}` } });
      expect(Buffer.from(await key.arrayBuffer()).toString('hex')).toBe(before.current.key);
    } finally {
      await t.dispose();
    }
  }, 90_000);
});
