import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';
import { createLogger } from '../../src-main/kernel/logger';
import { AccessLogWriter, capAccessLog } from '../../src-main/access/access-log';
import { RefusalThrottle, refusalSubject } from '../../src-main/access/refusal-throttle';

const logLines: Array<{ msg?: string; level?: number; path?: string }> = [];
function logCapture(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as { msg?: string });
      callback();
    },
  });
}

let t: TestCas;
let viewer: { id: number; username: string; token: string };

beforeAll(async () => {
  t = await startTestCas({ logger: createLogger({ level: 'info', destination: logCapture() }) });
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'] });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0, password: 'viewer-password-1' });
});
afterAll(() => t.dispose());

/** Every test starts a new refusal window (the test clock stands still otherwise). */
function nextMinute(): void {
  t.clock.advance(61_000);
}

describe('refusal limit per viewer address', () => {
  it('answers 429 on the client routes without any check once an address reached its refusals of the minute', async () => {
    nextMinute();
    await patchSettings(t, { viewerRefusalsPerMinute: 5 });
    for (let i = 0; i < 5; i++) expect((await t.client.get('/keys/news/1')).status).toBe(403);
    const { counts } = t.cas.services.diagnostics;
    const decisions = counts.accessDecisions;
    const flooded = await Promise.all(Array.from({ length: 50 }, () => t.client.get('/keys/news/1')));
    expect(flooded.map((a) => a.status)).toEqual(Array(50).fill(429));
    expect(flooded[0].headers.get('retry-after')).toBe('60');
    // Even a valid credential from that address is refused unchecked, on every viewer route.
    expect((await t.client.get(`/playlist.m3u8?token=${viewer.token}`)).status).toBe(429);
    expect(counts.accessDecisions).toBe(decisions);
    nextMinute();
    expect((await t.client.get(`/playlist.m3u8?token=${viewer.token}`)).status).toBe(200);
  });

  it('counts backend refusals against the viewer address the streaming server reports, IPv6 by its /64', async () => {
    nextMinute();
    await patchSettings(t, { viewerRefusalsPerMinute: 5 });
    const reasons = async (ip: string, query = '') => (await astra(t.client, query, { ip, channel: 'news' })).headers.get('x-cas-reason');
    for (let i = 1; i <= 5; i++) expect(await reasons(`2001:db8:7:1::${i}`)).toBe('no_credential');
    // Another address in the same /64 is over the limit; the next /64 and other viewers are not.
    expect(await reasons('2001:db8:7:1:ffff::99')).toBe('rate_limited');
    expect(await reasons('2001:db8:7:2::1')).toBe('no_credential');
    expect(await reasons('192.0.2.80', `token=${viewer.token}`)).toBe('credential');
    // The streaming server itself (127.0.0.1) was never limited on its own direct routes.
    expect((await t.client.get(`/playlist.m3u8?token=${viewer.token}`)).status).toBe(200);
    nextMinute();
    await patchSettings(t, { viewerRefusalsPerMinute: 120 });
  });

  it('keeps the throttle bounded when addresses rotate', () => {
    const throttle = new RefusalThrottle(100);
    for (let i = 0; i < 1000; i++) throttle.record(refusalSubject(`10.9.${i >> 8}.${i & 255}`), 0);
    expect(throttle.size).toBe(100);
    expect(refusalSubject('2001:db8:1:2:3:4:5:6')).toBe(refusalSubject('2001:db8:1:2::9'));
  });
});

describe('aggregated access log', () => {
  it('writes identical refusals of a minute as one row with a count, and the dashboard still counts each', async () => {
    nextMinute();
    const before = (await t.admin.get('/api/admin/dashboard/summary')).body.refusalsByReason.no_credential ?? 0;
    for (let i = 0; i < 40; i++) await astra(t.client, '', { ip: '192.0.2.90', channel: 'news' });
    const log = await t.admin.get('/api/admin/access-log?ip=192.0.2.90');
    expect(log.body.total).toBe(1);
    expect(log.body.items[0]).toMatchObject({ reason: 'no_credential', channelId: 'news', count: 40 });
    expect((await t.admin.get('/api/admin/dashboard/summary')).body.refusalsByReason.no_credential).toBe(before + 40);
  });

  it('bounds the buffer when rows cannot be written: the oldest go first and are counted', () => {
    const writer = new AccessLogWriter(t.cas.ctx.db, () => undefined, 100);
    const record = (i: number) => ({ at: 0, result: 'deny' as const, reason: 'no_credential', rule: null, accountId: null, username: null, channelId: null, ip: `10.8.0.${i}`, source: 'test', sessionId: null });
    for (let i = 0; i < 150; i++) writer.push(record(i));
    expect(writer.pending).toBe(100);
    expect(writer.dropped).toBe(50);
    const batch = writer.take(10);
    writer.push(record(200));
    writer.putBack(batch);
    expect(writer.pending).toBe(100);
    expect(writer.dropped).toBe(51);
    expect(writer.take(1)[0].ip).toBe('10.8.0.51');
  });

  it('keeps hourly-only counts of a failed write and writes them with the next one', () => {
    const writer = new AccessLogWriter(t.cas.ctx.db, () => undefined);
    const hour = 3_600_000 * 1000;
    const refresh = { at: hour, result: 'allow' as const, reason: null, rule: 'credential', accountId: 1, username: 'u', channelId: 'hourly-only', ip: '10.9.0.1', source: 'test', sessionId: 1 };
    for (let i = 0; i < 7; i++) writer.countHourly(refresh);
    expect(writer.pending).toBe(1);
    const taken: Parameters<AccessLogWriter['putBack']>[0][number][] = [];
    const takenHourly = new Map<string, number>();
    expect(() =>
      t.cas.ctx.db.transaction(() => {
        writer.writeWhile(() => true, taken, takenHourly);
        throw new Error('disk full');
      })(),
    ).toThrow('disk full');
    writer.putBack(taken, takenHourly);
    t.cas.ctx.db.transaction(() => writer.writeWhile(() => true, [], new Map()))();
    const n = t.cas.ctx.db.prepare("SELECT n FROM access_hourly WHERE channel_id = 'hourly-only' AND hour = ?").pluck().get(hour);
    expect(n).toBe(7);
    expect(writer.pending).toBe(0);
  });

  it('keeps at most accessLogMaxRows rows, dropping the oldest', async () => {
    nextMinute();
    // A writer of its own: the access log table is the same one the CAS writes.
    const writer = new AccessLogWriter(t.cas.ctx.db, () => undefined);
    for (let i = 0; i < 1500; i++) {
      writer.push({ at: t.clock.now(), result: 'deny', reason: 'bad_credential', rule: null, accountId: null, username: null, channelId: null, ip: `10.7.${i >> 8}.${i & 255}`, source: 'test', sessionId: null });
    }
    t.cas.ctx.db.transaction(() => writer.writeWhile(() => true, [], new Map()))();
    await patchSettings(t, { accessLogMaxRows: 1000 });
    await capAccessLog(t.cas.ctx.db, t.cas.ctx.settings.get().accessLogMaxRows);
    const log = await t.admin.get('/api/admin/access-log?pageSize=1');
    expect(log.body.total).toBe(1000);
    expect(log.body.items[0].ip).toBe('10.7.5.219');
    await patchSettings(t, { accessLogMaxRows: 2_000_000 });
  });
});

describe('request logging', () => {
  it('writes no line per ordinary request, only a summary, errors and slow requests', async () => {
    nextMinute();
    logLines.length = 0;
    await Promise.all(Array.from({ length: 100 }, (_, i) => astra(t.client, '', { ip: `192.0.2.${100 + (i % 50)}`, channel: 'news' })));
    await Promise.all(Array.from({ length: 50 }, () => t.client.get('/healthz')));
    expect(logLines.filter((l) => l.msg === 'request')).toEqual([]);
  });
});

describe('password floods', () => {
  it('limits wrong passwords per account from rotating addresses, so scrypt runs at most the limit', async () => {
    nextMinute();
    await patchSettings(t, { viewerAuthMaxFailures: 3 });
    const { counts } = t.cas.services.diagnostics;
    const checks = counts.passwordHashChecks;
    const reasons: Array<string | null> = [];
    // Waves of concurrent guesses, each small enough to wait for the password queue rather than be turned away by it.
    for (let wave = 0; wave < 6; wave++) {
      const guesses = Array.from({ length: 8 }, (_, i) =>
        astra(t.client, `auth=${viewer.username}:guess-${wave}-${i}`, { ip: `10.20.${wave}.${i}`, channel: 'news' }),
      );
      // A token viewer is decided while the flood runs.
      if (wave === 0) expect((await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.95', channel: 'news' })).status).toBe(200);
      for (const answer of await Promise.all(guesses)) reasons.push(answer.headers.get('x-cas-reason'));
    }
    expect(counts.passwordHashChecks - checks).toBeLessThanOrEqual(3);
    expect(reasons.filter((r) => r === 'rate_limited').length).toBeGreaterThanOrEqual(48 - 3);
    await patchSettings(t, { viewerAuthMaxFailures: 10 });
  });

  it('caps concurrent password checks and refuses the excess at once, while tokens and /healthz answer', async () => {
    nextMinute();
    const { counts } = t.cas.services.diagnostics;
    const checks = counts.passwordHashChecks;
    const refused = counts.passwordChecksRefused;
    const flood = Array.from({ length: 80 }, (_, i) =>
      astra(t.client, `auth=nobody-${i}:guess`, { ip: `10.30.${i >> 8}.${i & 255}`, channel: 'news' }),
    );
    const [token, health] = await Promise.all([astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.96', channel: 'news' }), t.client.get('/healthz')]);
    expect(token.status).toBe(200);
    expect(health.status).toBe(200);
    const reasons = (await Promise.all(flood)).map((a) => a.headers.get('x-cas-reason'));
    expect(counts.passwordChecksRefused - refused).toBeGreaterThan(0);
    expect(counts.passwordHashChecks - checks).toBeLessThan(80);
    expect(new Set(reasons)).toEqual(new Set(['bad_credential', 'rate_limited']));
  });
});
