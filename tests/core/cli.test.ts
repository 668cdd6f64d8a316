import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../helpers/test-cas';

const root = join(__dirname, '..', '..');
const cli = ['--import', 'tsx', join(root, 'src-main', 'cli', 'main.ts')];
const dataDir = mkdtempSync(join(tmpdir(), 'cas-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Served {
  child: ChildProcess;
  adminUrl: string;
  output: () => string;
}

/** Starts `cas-studio serve` on ephemeral ports and waits for its "dashboard" line. */
function serve(env: Record<string, string> = {}, dir = dataDir): Promise<Served> {
  const child = spawn(process.execPath, [...cli, 'serve', '--data-dir', dir, '--admin-port', '0', '--api-port', '0', '--api-host', '127.0.0.1', '--log-format', 'json'], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /dashboard (http:\/\/127\.0\.0\.1:\d+)\/admin/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, adminUrl: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

function stop(served: Served): Promise<number | null> {
  return new Promise((resolve) => {
    served.child.removeAllListeners('exit');
    served.child.on('exit', (code) => resolve(code));
    served.child.kill('SIGTERM');
  });
}

describe('cas-studio CLI', () => {
  it('serve on an empty data folder says in one line how to create the first administrator', async () => {
    const served = await serve();
    await new Promise((r) => setTimeout(r, 200));
    expect(served.output()).toMatch(/No administrator yet: .*cas-studio admin create --data-dir .* --password-stdin/);
    expect(await stop(served)).toBe(0);
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
    const served = await serve();
    const anonymous = new HttpClient(served.adminUrl);
    const login = await anonymous.post('/api/admin/login', { username: 'ops', password: 'a-long-operator-password' });
    expect(login.status).toBe(200);
    const admin = anonymous.withToken(login.body.token);
    expect((await admin.post('/api/admin/accounts', { username: 'kept-subscriber' })).status).toBe(201);
    expect(await stop(served)).toBe(0);
    expect(served.output()).toContain('"msg":"stopped"');
    expect(served.output()).not.toContain('a-long-operator-password');

    const again = await serve();
    const relogin = await new HttpClient(again.adminUrl).post('/api/admin/login', { username: 'ops', password: 'a-long-operator-password' });
    const list = await new HttpClient(again.adminUrl, relogin.body.token).get('/api/admin/accounts?q=kept-subscriber');
    expect(list.body.total).toBe(1);
    expect(await stop(again)).toBe(0);
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
      const served = await serve({ CAS_ADMIN_PASSWORD: 'env-given-password' }, fresh);
      expect(served.output()).not.toContain('No administrator yet');
      const login = await new HttpClient(served.adminUrl).post('/api/admin/login', { username: 'admin', password: 'env-given-password' });
      expect(login.status).toBe(200);
      expect(await stop(served)).toBe(0);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
