import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { runCliAsync } from '../helpers/cli-process';
import { KeyInfoFetchError, KeyInfoWriter } from '../../src-main/keys/keyinfo-writer';

let t: TestCas;
let dir: string;
let apiKey: string;

beforeAll(async () => {
  t = await startTestCas();
  dir = mkdtempSync(join(tmpdir(), 'cas-keyinfo-'));
  await t.admin.post('/api/admin/channels', { id: 'pk', name: 'Packaged', cryptoPeriodSeconds: 60 });
  apiKey = (await t.admin.post('/api/admin/api-keys', { name: 'enc', scopes: ['packager'] })).body.key;
});
afterAll(async () => {
  await t.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function keyInfo(file: string): { uri: string; keyFile: string; iv: string } {
  const [uri, keyFile, iv] = readFileSync(file, 'utf8').trim().split('\n');
  return { uri: uri, keyFile: keyFile, iv: iv };
}

describe('keyinfo writer (cas-studio keyinfo)', () => {
  it('writes the key in force, each key to its own file, and follows a manual rotation and the next period', async () => {
    const writer = new KeyInfoWriter({ server: t.cas.apiUrl, apiKey, channel: 'pk', dir });
    try {
      const info = await writer.refresh();
      const first = keyInfo(writer.keyInfoFile);
      expect(first.uri).toBe(info.current.keyUri);
      expect(readFileSync(first.keyFile).toString('hex')).toBe(info.current.key);
      expect(first.iv).toBe(info.current.iv);
      expect(readdirSync(dir).filter((f) => f.endsWith('.key'))).toHaveLength(2);

      await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'pk' });
      const rotated = await writer.refresh();
      const second = keyInfo(writer.keyInfoFile);
      expect(second.uri).toMatch(/\/keys\/pk\/\d+-1$/);
      expect(second.keyFile).not.toBe(first.keyFile);
      expect(readFileSync(second.keyFile).toString('hex')).toBe(rotated.current.key);
      // The earlier key file is untouched: ffmpeg may still be encrypting with it.
      expect(readFileSync(first.keyFile).toString('hex')).toBe(info.current.key);

      t.clock.ms = Date.parse(rotated.next.startsAt) + 10;
      const later = await writer.refresh();
      expect(keyInfo(writer.keyInfoFile).uri).toBe(later.current.keyUri);
      expect(later.current.period).toBe(rotated.next.period);
      expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    } finally {
      writer.stop();
    }
  });

  it('cas-studio keyinfo --once writes the key in force and exits at once, not at the next period', async () => {
    await t.admin.post('/api/admin/channels', { id: 'once', name: 'Once', cryptoPeriodSeconds: 3600 });
    // Just after a period start: the next key is an hour away, far beyond the run's limit.
    t.clock.ms = Math.ceil(t.clock.ms / 3_600_000) * 3_600_000 + 1000;
    const onceDir = join(dir, 'once');
    const run = await runCliAsync(['keyinfo', '--once', '--server', t.cas.apiUrl, '--api-key', apiKey, '--channel', 'once', '--dir', onceDir]);
    expect(run.code, run.output).toBe(0);
    const file = join(onceDir, 'once.keyinfo');
    expect(run.output).toContain(file);
    expect(keyInfo(file).uri).toMatch(/\/keys\/once\/\d+/);
  });

  it('reports a refused API key as fatal', async () => {
    const writer = new KeyInfoWriter({ server: t.cas.apiUrl, apiKey: 'cask_wrong', channel: 'pk', dir: join(dir, 'x') });
    const error = await writer.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyInfoFetchError);
    expect((error as KeyInfoFetchError).fatal).toBe(true);
    expect((error as Error).message).toContain('401');
  });
});
