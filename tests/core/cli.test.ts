import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../helpers/test-cas';
import { serveProcess, stopProcess } from '../helpers/cli-process';

const root = join(__dirname, '..', '..');
const cli = ['--import', 'tsx', join(root, 'src-main', 'cli', 'main.ts')];
const dataDir = mkdtempSync(join(tmpdir(), 'cas-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('cas-studio CLI', () => {
  it('serve on an empty data folder says in one line how to create the first administrator', async () => {
    const served = await serveProcess(dataDir);
    await new Promise((r) => setTimeout(r, 200));
    expect(served.output()).toMatch(/No administrator yet: .*cas-studio admin create --data-dir .* --password-stdin/);
    expect(await stopProcess(served)).toBe(0);
  });

  it('admin create reads the password from standard input and refuses a weak one', () => {
    const weak = spawnSync(process.execPath, [...cli, 'admin', 'create', '--data-dir', dataDir, '--username', 'ops', '--password-stdin'], {
      cwd: root,
      input: 'short\n',
    });
    expect(weak.status).toBe(2);
    expect(weak.stderr.toString()).toContain('password');
    const ok = spawnSync(process.execPath, [...cli, 'admin', 'create', '--data-dir', dataDir, '--username', 'ops', '--password-stdin'], {
      cwd: root,
      input: 'a-long-operator-password\n',
    });
    expect(ok.status, ok.stderr.toString()).toBe(0);
    expect(ok.stdout.toString()).toContain('Created admin "ops"');
  });

  it('serve shuts down cleanly on SIGTERM and keeps what it acknowledged', async () => {
    const served = await serveProcess(dataDir);
    const anonymous = new HttpClient(served.adminUrl);
    const login = await anonymous.post('/api/admin/login', { username: 'ops', password: 'a-long-operator-password' });
    expect(login.status).toBe(200);
    const admin = anonymous.withToken(login.body.token);
    expect((await admin.post('/api/admin/accounts', { username: 'kept-subscriber' })).status).toBe(201);
    expect(await stopProcess(served)).toBe(0);
    expect(served.output()).toContain('"msg":"stopped"');
    expect(served.output()).not.toContain('a-long-operator-password');

    const again = await serveProcess(dataDir);
    const relogin = await new HttpClient(again.adminUrl).post('/api/admin/login', { username: 'ops', password: 'a-long-operator-password' });
    const list = await new HttpClient(again.adminUrl, relogin.body.token).get('/api/admin/accounts?q=kept-subscriber');
    expect(list.body.total).toBe(1);
    expect(await stopProcess(again)).toBe(0);
  });

  it('admin create refuses the subscriber role', () => {
    const child = spawnSync(process.execPath, [...cli, 'admin', 'create', '--data-dir', dataDir, '--username', 'viewer-x', '--role', 'user', '--password-stdin'], {
      cwd: root,
      input: 'some-password-here\n',
    });
    expect(child.status).toBe(2);
    expect(child.stderr.toString()).toContain('role');
  });

  it('serve creates the first administrator from CAS_ADMIN_PASSWORD on an empty data folder', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'cas-cli-env-'));
    try {
      const served = await serveProcess(fresh, { CAS_ADMIN_PASSWORD: 'env-given-password' });
      expect(served.output()).not.toContain('No administrator yet');
      const login = await new HttpClient(served.adminUrl).post('/api/admin/login', { username: 'admin', password: 'env-given-password' });
      expect(login.status).toBe(200);
      expect(await stopProcess(served)).toBe(0);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
