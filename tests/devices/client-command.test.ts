import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { makePackage, makeSubscriber } from './device-helpers';

const ROOT = resolve(__dirname, '../..');
let t: TestCas;
let dir: string;

beforeAll(async () => {
  t = await startTestCas();
  dir = mkdtempSync(join(tmpdir(), 'cas-client-cli-'));
});
afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `cas-studio client ...` (from source) with the token on standard input; bounded by a timeout. */
function cli(args: string[], token: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('npx', ['tsx', 'src-main/cli/main.ts', 'client', ...args, '--token-stdin'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(`${token}\n`);
  });
}

describe('cas-studio client', () => {
  it('signs in, lists the channels and derives the current key through ECM/EMM, pinning the CAS key', async () => {
    const pkg = await makePackage(t, ['cli-ch']);
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const state = join(dir, 'state.json');
    const common = ['--server', t.cas.apiUrl, '--username', sub.username, '--hwid', 'CLI-BOX', '--state', state, '--json'];

    const auth = await cli(['auth', ...common], sub.token);
    expect(auth.code, auth.stderr).toBe(0);
    expect(JSON.parse(auth.stdout).device.hwid).toBe('CLI-BOX');
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved.casPublicKey).toBe(t.cas.services.signingKey.publicKeyBase64);

    const channels = await cli(['channels', ...common], sub.token);
    expect(channels.code, channels.stderr).toBe(0);
    expect(JSON.parse(channels.stdout).map((c: { id: string }) => c.id)).toEqual(['cli-ch']);

    const key = await cli(['key', 'cli-ch', ...common], sub.token);
    expect(key.code, key.stderr).toBe(0);
    const { current } = t.cas.services.keys.controlWords.currentControlWords('cli-ch');
    expect(JSON.parse(key.stdout)).toMatchObject({ channel: 'cli-ch', key: current.key.toString('hex'), iv: current.iv.toString('hex') });
  });

  it('exits non-zero with the refusal reason for a wrong token', async () => {
    const sub = await makeSubscriber(t);
    const run = await cli(['auth', '--server', t.cas.apiUrl, '--username', sub.username, '--hwid', 'X', '--state', join(dir, 'x.json')], 'wrong-token-wrong-token-wrong-token');
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('bad_credential');
  });
});
