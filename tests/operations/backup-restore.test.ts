import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient, ADMIN_PASSWORD, startTestCas } from '../helpers/test-cas';
import { runCli, serveProcess, stopProcess } from '../helpers/cli-process';
import { migrations } from '../../src-main/db/migrations';

const scratch = mkdtempSync(join(tmpdir(), 'cas-backups-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const usernames = async (admin: HttpClient) => ((await admin.get('/api/admin/accounts')).body.items as Array<{ username: string }>).map((a) => a.username);

async function waitForLogin(adminUrl: string): Promise<HttpClient> {
  const anonymous = new HttpClient(adminUrl);
  for (let i = 0; i < 100; i++) {
    const login = await anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD }).catch(() => null);
    if (login?.status === 200) return anonymous.withToken(login.body.token as string);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the CAS did not come back');
}

describe('online backup and restart onto a backup (admin API)', () => {
  it('backs up while decisions keep being answered, verified and labelled with the key check value', async () => {
    const test = await startTestCas();
    try {
      for (let i = 0; i < 200; i++) expect((await test.admin.post('/api/admin/accounts', { username: `viewer-${i}` })).status).toBe(201);
      let answered = 0;
      let backingUp = true;
      const probe = (async () => {
        while (backingUp) {
          expect((await test.client.get('/healthz')).status).toBe(200);
          answered++;
        }
      })();
      const made = await test.admin.post('/api/admin/backups');
      backingUp = false;
      await probe;
      expect(made.status).toBe(201);
      expect(answered).toBeGreaterThan(0);
      const list = await test.admin.get('/api/admin/backups');
      expect(list.body.items[0]).toMatchObject({ name: made.body.name, schemaVersion: migrations.at(-1)!.version, keyCheckValue: list.body.keyCheckValue });
      expect(list.body.keyCheckValue).toMatch(/^[0-9a-f]{16}$/);
      const download = await fetch(`${test.cas.adminUrl}/api/admin/backups/${made.body.name}`, { headers: { authorization: `Bearer ${test.admin.token}` } });
      expect(download.status).toBe(200);
      const bytes = Buffer.from(await download.arrayBuffer());
      expect(bytes.subarray(0, 15).toString()).toBe('SQLite format 3');
      expect((await test.admin.get('/api/admin/backups/..%2Fcas.db')).status).toBe(400);
      expect((await test.admin.get('/api/admin/backups/cas-20000101T000000Z.db')).status).toBe(404);
    } finally {
      await test.dispose();
    }
  });

  it('restarts onto a backup on the same ports, keeping the replaced database beside it', async () => {
    const test = await startTestCas();
    try {
      expect((await test.admin.post('/api/admin/accounts', { username: 'before-backup' })).status).toBe(201);
      const made = await test.admin.post('/api/admin/backups');
      expect((await test.admin.post('/api/admin/accounts', { username: 'after-backup' })).status).toBe(201);
      const adminUrl = test.cas.adminUrl;
      const restore = await test.admin.post(`/api/admin/backups/${made.body.name}/restore`);
      expect(restore.status).toBe(202);
      await new Promise((r) => setTimeout(r, 300));
      const admin = await waitForLogin(adminUrl);
      expect(test.cas.adminUrl).toBe(adminUrl);
      const names = await usernames(admin);
      expect(names).toContain('before-backup');
      expect(names).not.toContain('after-backup');
      expect(readdirSync(test.dataDir).some((f) => /^cas\.db\.before-restore-\d{8}T\d{9}Z$/.test(f))).toBe(true);
      expect(test.cas.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      await test.dispose();
    }
  });
});

describe('scheduled backups', () => {
  it('back up when the newest is older than the interval and keep the newest N', async () => {
    const test = await startTestCas();
    try {
      expect((await test.admin.patch('/api/admin/settings', { backupIntervalHours: 1, backupKeep: 2 })).status).toBe(200);
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        made.push((await test.cas.services.backups.runSchedule())!.name);
        expect(await test.cas.services.backups.runSchedule()).toBeNull();
        test.clock.advance(3_600_000);
      }
      expect(((await test.admin.get('/api/admin/backups')).body.items as Array<{ name: string }>).map((b) => b.name)).toEqual([made[2], made[1]]);
    } finally {
      await test.dispose();
    }
  });
});

describe('cas-studio backup and restore', () => {
  const dataDir = join(scratch, 'data');

  it('backs up through the running CAS, refuses to restore while it runs, restores once stopped', async () => {
    const served = await serveProcess(dataDir, { CAS_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const admin = await waitForLogin(served.adminUrl);
    expect((await admin.post('/api/admin/accounts', { username: 'in-the-backup' })).status).toBe(201);
    const out = join(scratch, 'online.db');
    const backup = runCli(['backup', '--data-dir', dataDir, '--out', out]);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`by the running CAS (process ${served.child.pid})`);
    expect((await admin.post('/api/admin/accounts', { username: 'not-in-the-backup' })).status).toBe(201);

    const refused = runCli(['restore', '--data-dir', dataDir, '--from', out]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`in use by process ${served.child.pid}`);
    expect(await stopProcess(served)).toBe(0);

    const restored = runCli(['restore', '--data-dir', dataDir, '--from', out]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/previous database is kept as .*cas\.db\.before-restore-/);
    const again = await serveProcess(dataDir);
    const names = await usernames(await waitForLogin(again.adminUrl));
    expect(names).toContain('in-the-backup');
    expect(names).not.toContain('not-in-the-backup');
    expect(await stopProcess(again)).toBe(0);

    const offline = runCli(['backup', '--data-dir', dataDir, '--out', join(scratch, 'offline.db')]);
    expect(offline.status, offline.stderr).toBe(0);
    expect(offline.stdout).toMatch(/verified: .*offline\.db \(key check value [0-9a-f]{16}\)/);
  }, 90_000);

  it('refuses a wrong file with a clear message and leaves the database byte-for-byte as it was', async () => {
    const other = await startTestCas();
    const otherKeyBackup = join(scratch, 'other-key.db');
    await other.admin.post('/api/admin/backups');
    copyFileSync(join(other.dataDir, 'backups', readdirSync(join(other.dataDir, 'backups'))[0]), otherKeyBackup);
    await other.dispose();

    const good = join(scratch, 'offline.db');
    const future = join(scratch, 'future.db');
    copyFileSync(good, future);
    const db = new Database(future);
    db.pragma('user_version = 9999');
    db.close();
    const garbage = join(scratch, 'garbage.db');
    writeFileSync(garbage, randomBytes(8192));
    const corrupt = join(scratch, 'corrupt.db');
    const bytes = readFileSync(good);
    bytes.fill(0x5a, 4096 + 100, 4096 * 3);
    writeFileSync(corrupt, bytes);
    const plain = join(scratch, 'plain.db');
    new Database(plain).exec('CREATE TABLE t (x)');

    const before = digest(join(dataDir, 'cas.db'));
    const cases: Array<[string, RegExp]> = [
      [otherKeyBackup, /needs another master key.*key check value/],
      [future, /made by a newer release \(schema 9999/],
      [garbage, /not an SQLite database/],
      [corrupt, /integrity_check failed|not an SQLite database|malformed/],
      [plain, /not a CAS database/],
      [join(scratch, 'missing.db'), /ENOENT|no such file/],
    ];
    for (const [file, message] of cases) {
      const refused = runCli(['restore', '--data-dir', dataDir, '--from', file]);
      expect(refused.status, file).toBe(2);
      expect(refused.stderr, file).toMatch(message);
      expect(digest(join(dataDir, 'cas.db')), file).toBe(before);
      expect(existsSync(join(dataDir, 'cas.db.restoring')), file).toBe(false);
    }
  }, 90_000);
});
