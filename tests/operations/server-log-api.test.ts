import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';
import { createLogger, openLogFile } from '../../src-main/kernel/logger';
import { logFileBaseOf, logFolderOf } from '../../src-main/kernel/log-files';

const VIEWER_TOKEN = 'viewer-token-that-must-never-reach-the-log-0042';
let t: TestCas;
let observer: HttpClient;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cas-server-log-'));
  // The real file logger of `cas-studio serve`, at debug so that every request is logged.
  const logger = createLogger({ level: 'debug', destination: await openLogFile(logFileBaseOf(dataDir)) });
  t = await startTestCas({ dataDir, logger });
  await t.admin.post('/api/admin/accounts', { username: 'log-watcher', password: 'observer-pass-1', role: 'observer' });
  observer = t.anonymous.withToken((await t.anonymous.post('/api/admin/login', { username: 'log-watcher', password: 'observer-pass-1' })).body.token);
  await t.client.get(`/auth/astra?token=${VIEWER_TOKEN}`);
  await t.client.get(`/playlist.m3u?token=${VIEWER_TOKEN}&x=1`);
  t.cas.ctx.logger.warn({ probe: 'warned' }, 'a warning for the level filter');
});
afterAll(async () => {
  await t.dispose();
});

describe('server log files', () => {
  it('lists the rotated log files with size and time', async () => {
    const answer = await t.admin.get('/api/admin/server-log/files');
    expect(answer.status).toBe(200);
    expect(answer.body.files[0]).toMatchObject({ name: 'cas.1.log', bytes: expect.any(Number), modifiedAt: expect.any(String) });
    expect(answer.body.files[0].bytes).toBeGreaterThan(0);
  });

  it('tails the newest file as time, level and message, filtered by level', async () => {
    const all = await t.admin.get('/api/admin/server-log/tail?lines=500');
    expect(all.status).toBe(200);
    expect(all.body.file).toBe('cas.1.log');
    expect(all.body.lines.some((l: { msg: string; level: string }) => l.msg === 'request' && l.level === 'debug')).toBe(true);
    const warnings = await t.admin.get('/api/admin/server-log/tail?level=warn');
    expect(warnings.body.lines.length).toBeGreaterThan(0);
    expect(warnings.body.lines.every((l: { level: string }) => ['warn', 'error', 'fatal'].includes(l.level))).toBe(true);
    expect(warnings.body.lines.at(-1)).toMatchObject({ msg: 'a warning for the level filter', fields: { probe: 'warned' } });
    expect((await t.admin.get('/api/admin/server-log/tail?lines=0')).body.error.field).toBe('lines');
  });

  it('downloads a file whole, with no credential from a request URL in it', async () => {
    const answer = await t.admin.get('/api/admin/server-log/files/cas.1.log');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toContain('cas.1.log');
    const text = String(answer.body);
    expect(text).toContain('/auth/astra');
    expect(text).not.toContain(VIEWER_TOKEN);
  });

  it('reaches nothing but the listed log files: traversal, encoded dots, absolute paths and links are refused', async () => {
    const folder = logFolderOf(t.dataDir);
    mkdirSync(folder, { recursive: true });
    symlinkSync(join(t.dataDir, 'master.key'), join(folder, 'cas.99.log'));
    writeFileSync(join(t.dataDir, 'cas.7.log'), 'outside the log folder');
    const attempts = [
      '/api/admin/server-log/files/..%2Fmaster.key',
      '/api/admin/server-log/files/..%2F..%2F..%2Fetc%2Fpasswd',
      '/api/admin/server-log/files/%2e%2e%2fcas.db',
      '/api/admin/server-log/files/%2e%2e%2fcas.7.log',
      '/api/admin/server-log/files/%2Fetc%2Fpasswd',
      '/api/admin/server-log/files/cas.1.log%00.txt',
      '/api/admin/server-log/files/cas.99.log',
      '/api/admin/server-log/files/current.log',
      '/api/admin/server-log/tail?file=../cas.db',
      '/api/admin/server-log/tail?file=cas.99.log',
      '/api/admin/server-log/tail?file=%2Fetc%2Fpasswd',
    ];
    for (const path of attempts) {
      const answer = await t.admin.get(path);
      expect([400, 404], path).toContain(answer.status);
      expect(String(JSON.stringify(answer.body)), path).not.toContain('outside the log folder');
    }
    const listed = (await t.admin.get('/api/admin/server-log/files')).body.files.map((f: { name: string }) => f.name);
    expect(listed).not.toContain('cas.99.log');
  });

  it('is for administrators only: observers and anonymous callers are refused', async () => {
    for (const path of ['/api/admin/server-log/files', '/api/admin/server-log/tail', '/api/admin/server-log/files/cas.1.log']) {
      expect((await observer.get(path)).status, path).toBe(403);
      expect((await t.anonymous.get(path)).status, path).toBe(401);
    }
  });
});
