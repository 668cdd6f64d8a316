import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, HttpClient, startTestCas, type TestCas } from '../helpers/test-cas';
import { runCli, serveProcess, stopProcess } from '../helpers/cli-process';
import { readLockHolder } from '../../src-main/db/data-dir-lock';
import { LOCAL_CONTROL_HEADER } from '../../src-main/http/local-control';
import { openWithPassphrase, sealWithPassphrase } from '../../src-main/crypto/passphrase-seal';
import { clearPartDigest, SEALED_AAD } from '../../src-main/config-transfer/config-file';

const PASSPHRASE = 'correct horse battery staple';
const VIEWER_TOKEN = 'viewer-token-0123456789-abcdefghijklmnop';
const SECRET = 'a-url-signing-secret-of-enough-length';
const scratch = mkdtempSync(join(tmpdir(), 'cas-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const withoutTimes = <T extends Record<string, unknown>>(items: T[]) => items.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest);

async function signIn(adminUrl: string, username: string, password: string): Promise<HttpClient> {
  const anonymous = new HttpClient(adminUrl);
  const login = await anonymous.post('/api/admin/login', { username, password });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return anonymous.withToken(login.body.token as string);
}

/** A source CAS with two packages, channels in them, a viewer with token and password, an observer and a secret. */
async function populatedCas(): Promise<TestCas> {
  const test = await startTestCas();
  const { admin } = test;
  expect((await admin.patch('/api/admin/packages/basic', { description: 'The basics' })).status).toBe(200);
  expect((await admin.post('/api/admin/packages', { id: 'family', name: 'Family' })).status).toBe(201);
  expect((await admin.post('/api/admin/packages', { id: 'sport-pack', name: 'Sport' })).status).toBe(201);
  expect((await admin.post('/api/admin/channels', { id: 'news', name: 'News', number: 1, packages: ['basic', 'family'] })).status).toBe(201);
  const sports = { id: 'sports', name: 'Sports', packages: ['sport-pack'], urlSigning: 'nginx-secure-link', cryptoPeriodSeconds: 60, watermark: { template: '{username}', opacity: 0.5 } };
  expect((await admin.post('/api/admin/channels', sports)).status).toBe(201);
  const viewer = { username: 'viewer', password: 'viewer-password', token: VIEWER_TOKEN, packages: ['basic'], maxConnections: 3, allowedIps: ['10.0.0.0/8', '127.0.0.1'], comment: 'moved' };
  expect((await admin.post('/api/admin/accounts', viewer)).status).toBe(201);
  expect((await admin.post('/api/admin/accounts', { username: 'watcher', password: 'observer-password', role: 'observer' })).status).toBe(201);
  const secretName = Object.keys((await admin.get('/api/admin/settings')).body.secrets as object)[0];
  expect((await admin.patch('/api/admin/settings', { loginMaxAttempts: 9, [secretName]: SECRET })).status).toBe(200);
  return test;
}

async function exported(test: TestCas, includeSecrets = false): Promise<Record<string, any>> {
  const answer = await test.admin.post('/api/admin/config/export', { passphrase: PASSPHRASE, includeSecrets });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.headers.get('content-disposition')).toMatch(/attachment; filename="cas-config-\d{4}-\d\d-\d\d\.json"/);
  return answer.body;
}

async function snapshot(admin: HttpClient) {
  return {
    packages: withoutTimes((await admin.get('/api/admin/packages')).body.items ?? (await admin.get('/api/admin/packages')).body),
    channels: withoutTimes((await admin.get('/api/admin/channels')).body.items),
    accounts: ((await admin.get('/api/admin/accounts?pageSize=500')).body.items as Array<Record<string, unknown>>).map(({ id: _i, createdAt: _c, updatedAt: _u, tokenPreview: _p, deviceCount: _d, ...rest }) => rest),
  };
}

describe('configuration export and import (admin API)', () => {
  let source: TestCas;
  let file: Record<string, any>;
  beforeAll(async () => {
    source = await populatedCas();
    file = await exported(source);
  }, 60_000);
  afterAll(() => source.dispose());

  it('writes a versioned file with tokens and password hashes only in its sealed part', () => {
    expect(file).toMatchObject({ format: 'cas-studio-config', version: 1, includesSecrets: false });
    expect(file.sealed).toMatchObject({ cipher: 'aes-256-gcm', kdf: { name: 'scrypt', N: 131072, r: 8, p: 1 } });
    const text = JSON.stringify(file);
    expect(text).not.toContain(VIEWER_TOKEN);
    expect(text).not.toContain('scrypt$');
    expect(text).not.toContain(SECRET);
    expect(file.accounts.map((a: { username: string }) => a.username).sort()).toEqual(['admin', 'viewer', 'watcher']);
  });

  it('moves everything into a fresh CAS: a dry run first, then one import; accounts sign in as before', async () => {
    const target = await startTestCas();
    try {
      const dry = await target.admin.post('/api/admin/config/import', { file, passphrase: PASSPHRASE, dryRun: true });
      expect(dry.status, JSON.stringify(dry.body)).toBe(200);
      expect(dry.body).toMatchObject({ dryRun: true, packages: { created: 2, updated: 1, unchanged: 2 }, channels: { created: 2 }, accounts: { created: 2, updated: 1 } });
      expect(dry.body.settings).toEqual(['loginMaxAttempts']);
      expect((await target.admin.get('/api/admin/channels')).body.items).toEqual([]);

      const createdBefore = (await target.admin.get('/api/admin/audit?action=account.create')).body.total;
      const done = await target.admin.post('/api/admin/config/import', { file, passphrase: PASSPHRASE, dryRun: false });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({ dryRun: false, accounts: { created: 2, updated: 1 } });

      const admin = await signIn(target.cas.adminUrl, 'admin', ADMIN_PASSWORD);
      // The import is one audit entry with the counts and every account it wrote, not one per account.
      expect((await admin.get('/api/admin/audit?action=account.create')).body.total).toBe(createdBefore);
      expect((await admin.get('/api/admin/audit?action=account.replace')).body.total).toBe(0);
      const imports = (await admin.get('/api/admin/audit?action=config.import')).body.items;
      expect(imports).toHaveLength(1);
      expect(imports[0]).toMatchObject({ summary: { packages: 3, channels: 2, accountsCreated: 2, accountsUpdated: 1, settings: ['loginMaxAttempts'] }, subjectCount: 3 });
      const subjects = await admin.get(`/api/admin/audit/${imports[0].id}/subjects`);
      expect(subjects.body.subjects.sort()).toEqual(['admin', 'viewer', 'watcher']);

      expect(await snapshot(admin)).toEqual(await snapshot(source.admin));
      expect((await admin.get('/api/admin/settings')).body.loginMaxAttempts).toBe(9);
      expect(Object.values((await admin.get('/api/admin/settings')).body.secrets as Record<string, { set: boolean }>).some((s) => s.set)).toBe(false);

      await signIn(target.cas.adminUrl, 'watcher', 'observer-password');
      expect((await target.client.get(`/playlist.m3u8?token=${VIEWER_TOKEN}`)).status).toBe(200);
      expect((await target.client.get('/playlist.m3u8?auth=viewer:viewer-password')).status).toBe(200);

      const again = await admin.post('/api/admin/config/import', { file, passphrase: PASSPHRASE, dryRun: true });
      expect(again.body).toMatchObject({ packages: { created: 0, updated: 0, unchanged: 5 }, channels: { unchanged: 2 }, accounts: { unchanged: 3 }, settings: [] });
    } finally {
      await target.dispose();
    }
  }, 60_000);

  it('reads a file of an earlier release, which named the public URL keysPublicUrl', async () => {
    // What the earlier release wrote: its settings under their names then, and a digest over them.
    const { publicBaseUrl: _new, publicBaseUrlAllowLoopback: _loopback, ...earlierSettings } = file.settings;
    const clear = { ...file, settings: { ...earlierSettings, keysPublicUrl: 'http://cas.example.net:8100' } };
    const payload = JSON.parse((await openWithPassphrase(file.sealed, PASSPHRASE, SEALED_AAD)).toString('utf8'));
    const sealed = await sealWithPassphrase(Buffer.from(JSON.stringify({ ...payload, digest: clearPartDigest(clear as Parameters<typeof clearPartDigest>[0]) })), PASSPHRASE, SEALED_AAD);
    const target = await startTestCas();
    try {
      const done = await target.admin.post('/api/admin/config/import', { file: { ...clear, sealed }, passphrase: PASSPHRASE, dryRun: false });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.settings).toContain('publicBaseUrl');
      const admin = await signIn(target.cas.adminUrl, 'admin', ADMIN_PASSWORD);
      expect((await admin.get('/api/admin/settings')).body.publicBaseUrl).toBe('http://cas.example.net:8100');
    } finally {
      await target.dispose();
    }
  }, 60_000);

  it('carries the settings secrets, sealed, only when asked', async () => {
    const withSecrets = await exported(source, true);
    expect(JSON.stringify(withSecrets)).not.toContain(SECRET);
    const target = await startTestCas();
    try {
      expect((await target.admin.post('/api/admin/config/import', { file: withSecrets, passphrase: PASSPHRASE, dryRun: false })).status).toBe(200);
      const admin = await signIn(target.cas.adminUrl, 'admin', ADMIN_PASSWORD);
      const name = Object.keys((await source.admin.get('/api/admin/settings')).body.secrets as object)[0];
      expect(target.cas.ctx.settings.secret(name as never)?.current).toBe(SECRET);
      expect((await admin.get('/api/admin/settings')).body.secrets[name].set).toBe(true);
    } finally {
      await target.dispose();
    }
  }, 60_000);

  it('refuses a wrong passphrase, a malformed or edited file and a conflicting row with a 4xx naming the field, writing nothing', async () => {
    const target = await startTestCas();
    try {
      const importing = (body: Record<string, unknown>) => target.admin.post('/api/admin/config/import', { passphrase: PASSPHRASE, dryRun: false, ...body });
      const nothingWritten = async () => {
        expect((await target.admin.get('/api/admin/channels')).body.items).toEqual([]);
        expect((await target.admin.get('/api/admin/accounts')).body.items.map((a: { username: string }) => a.username).sort()).toEqual(['admin', 'taken']);
      };
      expect((await target.admin.post('/api/admin/accounts', { username: 'taken', token: VIEWER_TOKEN })).status).toBe(201);

      const wrong = await importing({ file, passphrase: 'not the right passphrase' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error).toMatchObject({ field: 'passphrase', message: expect.stringContaining('does not open') });

      const malformed = structuredClone(file);
      malformed.channels[1].streamPath = '/tv/../etc/passwd';
      const bad = await importing({ file: malformed });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('file.channels.1.streamPath');
      const future = await importing({ file: { ...file, version: 2 } });
      expect(future.status).toBe(400);
      expect(future.body.error.field).toBe('file.version');
      const missing = await importing({ file: { ...file, sealed: undefined } });
      expect(missing.body.error.field).toBe('file.sealed');

      const edited = structuredClone(file);
      edited.accounts.find((a: { username: string }) => a.username === 'viewer').role = 'admin';
      const tampered = await importing({ file: edited });
      expect(tampered.status).toBe(400);
      expect(tampered.body.error.message).toMatch(/changed after it was exported/);

      // The viewer's token belongs to "taken" here: refused at that row, after packages and channels were written — all rolled back.
      const conflict = await importing({ file });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.field).toMatch(/^file\.accounts\.\d+\.token$/);
      await nothingWritten();
      expect(JSON.stringify((await target.admin.get('/api/admin/packages')).body)).not.toMatch(/family|The basics/);
      expect(target.cas.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      await target.dispose();
    }
  }, 60_000);
});

describe('the local control token (cas-studio commands on this machine)', () => {
  it('opens the backup and configuration routes and nothing else', async () => {
    const test = await startTestCas();
    try {
      const headers = { [LOCAL_CONTROL_HEADER]: readLockHolder(test.dataDir)!.controlToken! };
      const local = new HttpClient(test.cas.adminUrl);
      expect((await local.get('/api/admin/backups', headers)).status).toBe(200);
      expect((await local.post('/api/admin/config/import', { file: {}, passphrase: PASSPHRASE }, headers)).status).toBe(400);
      for (const [method, path] of [
        ['GET', '/api/admin/accounts'],
        ['POST', '/api/admin/accounts'],
        ['GET', '/api/admin/settings'],
        ['PATCH', '/api/admin/settings'],
        ['POST', '/api/admin/api-keys'],
        ['GET', '/api/admin/audit'],
        ['POST', '/api/admin/backups/cas-20250101T000000Z.db/restore'],
      ]) {
        expect((await local.request(method, path, method === 'GET' ? undefined : {}, headers)).status, `${method} ${path}`).toBe(401);
      }
    } finally {
      await test.dispose();
    }
  });
});

describe('cas-studio config, rekey and admin create', () => {
  it('exports through the running CAS, refuses rekey and admin create while it runs, imports offline into a new folder', async () => {
    const source = join(scratch, 'source');
    const served = await serveProcess(source, { CAS_ADMIN_PASSWORD: ADMIN_PASSWORD });
    try {
      const admin = await signIn(served.adminUrl, 'admin', ADMIN_PASSWORD);
      expect((await admin.post('/api/admin/accounts', { username: 'viewer', token: VIEWER_TOKEN, packages: ['basic'] })).status).toBe(201);
      const out = join(scratch, 'config.json');
      const exportRun = runCli(['config', 'export', '--data-dir', source, '--out', out, '--passphrase-stdin'], { input: `${PASSPHRASE}\n` });
      expect(exportRun.status, exportRun.stderr).toBe(0);
      expect(exportRun.stdout).toContain('3 packages, 0 channels, 2 accounts');
      expect(readFileSync(out, 'utf8')).not.toContain(VIEWER_TOKEN);

      for (const args of [['rekey'], ['admin', 'create', '--username', 'second', '--password-stdin']]) {
        const refused = runCli([...args, '--data-dir', source], { input: 'a-long-password\n' });
        expect(refused.status, args.join(' ')).toBe(2);
        expect(refused.stderr).toContain(`in use by process ${served.child.pid}`);
      }

      const target = join(scratch, 'target');
      const create = runCli(['admin', 'create', '--data-dir', target, '--username', 'boss', '--password-stdin'], { input: 'boss-password\n' });
      expect(create.status, create.stderr).toBe(0);
      const dry = runCli(['config', 'import', '--data-dir', target, '--from', out, '--passphrase-stdin', '--dry-run'], { input: PASSPHRASE });
      expect(dry.status, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/Dry run[\s\S]*accounts: 2 new/);
      const wrong = runCli(['config', 'import', '--data-dir', target, '--from', out, '--passphrase-stdin'], { input: 'a wrong passphrase' });
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toContain('does not open');
      const broken = join(scratch, 'broken.json');
      writeFileSync(broken, JSON.stringify({ ...JSON.parse(readFileSync(out, 'utf8')), packages: [{ id: 'Not A Slug', name: 'x', description: '' }] }));
      const malformed = runCli(['config', 'import', '--data-dir', target, '--from', broken, '--passphrase-stdin'], { input: PASSPHRASE });
      expect(malformed.status).toBe(2);
      expect(malformed.stderr).toContain('packages.0.id');
      const done = runCli(['config', 'import', '--data-dir', target, '--from', out, '--passphrase-stdin'], { input: PASSPHRASE });
      expect(done.status, done.stderr).toBe(0);
      expect(done.stdout).toMatch(/one transaction[\s\S]*accounts: 2 new/);
    } finally {
      expect(await stopProcess(served)).toBe(0);
    }
  }, 120_000);
});
