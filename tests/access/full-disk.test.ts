import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createLogger } from '../../src-main/kernel/logger';
import { astra, createChannel, createViewer } from './access-helpers';

// A real full disk: a 6 MB tmpfs holds the data folder, then a filler file takes the rest.
let mountPoint: string;
let mounted = false;
let t: TestCas;
let viewer: { token: string };
/** The CAS's log lines (JSON), to count its alarms. */
const logLines: string[] = [];
const filler = () => join(mountPoint, 'filler');

function fillDisk(): void {
  const fd = openSync(filler(), 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (let i = 0; i < 1024; i++) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await probe().then((v) => (v as { body?: unknown }).body ?? v))}`);
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('This test mounts a tmpfs to fill a disk and must run as root (CI does)');
  mountPoint = mkdtempSync(join(tmpdir(), 'cas-full-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint]);
  mounted = true;
  t = await startTestCas({ dataDir: join(mountPoint, 'data'), logger: createLogger({ level: 'warn', destination: { write: (line: string) => logLines.push(line) } }) });
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'] });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
});

afterAll(async () => {
  await t?.dispose();
  if (mounted) execFileSync('umount', [mountPoint]);
  if (mountPoint) rmdirSync(mountPoint);
});

describe('a full disk', () => {
  it('raises a visible alarm while refusals flood in, keeps deciding, and writes the backlog once space returns', async () => {
    fillDisk();
    // Distinct viewer addresses: thousands of access-log rows, more than the WAL can take.
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => astra(t.client, '', { ip: `10.40.${batch}.${i}`, channel: 'news' })));
    }
    t.clock.advance(61_000); // the minute of those rows has ended: the background flush writes them

    const names = (answer: { body: { alarms?: Array<{ name: string }> } }) => (answer.body.alarms ?? []).map((a) => a.name);
    // Every background writer that meets the full disk says so (key rotation too, as time moves).
    const health = await until(() => t.client.get('/healthz'), (a) => names(a).includes('access-log-write'), 'the access-log write alarm');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');

    // Decisions go on, and the operator's pages answer (with what could be written).
    expect((await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.7', channel: 'news' })).status).toBe(200);
    expect((await astra(t.client, '', { ip: '192.0.2.8', channel: 'news' })).headers.get('x-cas-reason')).toBe('no_credential');
    expect((await t.admin.get('/api/admin/access-log?pageSize=1')).status).toBe(200);
    const status = await t.admin.get('/api/admin/status');
    expect(status.body.alarms.find((a: { name: string }) => a.name === 'access-log-write').message).toMatch(/full/i);

    rmSync(filler());
    await until(() => t.client.get('/healthz'), (a) => !names(a).includes('access-log-write'), 'the alarm to clear');
    const refused = await t.admin.get('/api/admin/access-log?reason=no_credential&pageSize=1');
    expect(refused.body.total).toBeGreaterThanOrEqual(3000);
  });

  it('answers a flood of refused key requests without a timeout, loses nothing it acknowledged and recovers by itself', async () => {
    expect((await t.admin.post('/api/admin/accounts', { username: 'before-the-fill' })).status).toBe(201);
    const alarmLinesBefore = logLines.length;
    fillDisk();
    const period = Math.floor(t.clock.now() / 600_000);
    const acknowledged: string[] = [];
    for (let batch = 0; batch < 20; batch++) {
      const keys = Array.from({ length: 100 }, (_, i) =>
        fetch(`${t.cas.apiUrl}/keys/news/${period}`, { headers: { 'x-forwarded-for': `10.50.${batch}.${i}` }, signal: AbortSignal.timeout(5000) }),
      );
      // Operator writes during the fill: each is either done (and kept) or refused with a clear error, never both.
      const write = t.admin.post('/api/admin/accounts', { username: `during-fill-${batch}` });
      for (const answer of await Promise.all(keys)) expect([401, 403, 429]).toContain(answer.status);
      const written = await write;
      if (written.status === 201) acknowledged.push(`during-fill-${batch}`);
      else {
        expect(written.status).toBeGreaterThanOrEqual(400);
        expect(written.body.error.code).toBeTypeOf('string');
      }
      t.clock.advance(5_000);
    }
    // Decisions for existing data go on.
    expect((await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.9', channel: 'news' })).status).toBe(200);
    const names = (answer: { body: { alarms?: Array<{ name: string }> } }) => (answer.body.alarms ?? []).map((a) => a.name);
    t.clock.advance(61_000);
    const health = await until(() => t.client.get('/healthz'), (a) => names(a).length > 0, 'an alarm');
    expect(health.body.status).toBe('degraded');
    expect(new Set(names(health)).size).toBe(names(health).length);
    // One line per alarm and minute, not one per failure: the fill above spans 161 s of the CAS clock.
    const alarmLines = logLines.slice(alarmLinesBefore).filter((l) => l.includes('background write failing'));
    expect(alarmLines.length).toBeGreaterThanOrEqual(1);
    const linesPerAlarm = new Map<string, number>();
    for (const line of alarmLines) {
      const name = String((JSON.parse(line) as { alarm?: string }).alarm);
      linesPerAlarm.set(name, (linesPerAlarm.get(name) ?? 0) + 1);
    }
    for (const count of linesPerAlarm.values()) expect(count).toBeLessThanOrEqual(1 + Math.floor(161_000 / 60_000));

    rmSync(filler());
    // Background writers retry every second; an alarm of a write only requests make (the admin session touch) lapses.
    t.clock.advance(121_000);
    await until(() => t.client.get('/healthz'), (a) => a.body.status === 'ok', 'the CAS to recover');
    const usernames = ((await t.admin.get('/api/admin/accounts?pageSize=500')).body.items as Array<{ username: string }>).map((a) => a.username);
    expect(usernames).toContain('before-the-fill');
    for (const name of acknowledged) expect(usernames).toContain(name);
    expect((await t.admin.post('/api/admin/accounts', { username: 'after-the-fill' })).status).toBe(201);
    expect(t.cas.ctx.db.pragma('integrity_check', { simple: true })).toBe('ok');
  }, 120_000);
});
