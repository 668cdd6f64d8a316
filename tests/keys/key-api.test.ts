import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';
import { explainKeyQueries, explainRotationList } from '../../src-main/keys/key-queries';

let t: TestCas;
let packager: HttpClient;
let viewerToken: string;
let outsiderToken: string;

async function rawKey(path: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(`${t.cas.apiUrl}${path}`, { headers });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

beforeAll(async () => {
  t = await startTestCas();
  expect((await t.admin.post('/api/admin/channels', { id: 'news', name: 'News', packages: ['basic'] })).status).toBe(201);
  expect((await t.admin.post('/api/admin/channels', { id: 'movies', name: 'Movies', packages: ['premium'] })).status).toBe(201);
  const key = await t.admin.post('/api/admin/api-keys', { name: 'encoder', scopes: ['packager'] });
  expect(key.status).toBe(201);
  packager = t.client.withToken(key.body.key);
  const viewer = await t.admin.post('/api/admin/accounts', { username: 'viewer', packages: ['basic'], maxConnections: 0 });
  viewerToken = viewer.body.token;
  const outsider = await t.admin.post('/api/admin/accounts', { username: 'outsider', packages: ['premium'], maxConnections: 0 });
  outsiderToken = outsider.body.token;
});
afterAll(async () => {
  await t.dispose();
});

describe('channel crypto period', () => {
  it('defaults to 600 seconds and refuses less than 2 seconds naming the field', async () => {
    expect((await t.admin.get('/api/admin/channels/news')).body.cryptoPeriodSeconds).toBe(600);
    const bad = await t.admin.patch('/api/admin/channels/news', { cryptoPeriodSeconds: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('cryptoPeriodSeconds');
    const bad2 = await t.admin.patch('/api/admin/channels/news', { hlsOrigin: 'relative/folder' });
    expect(bad2.status).toBe(400);
    expect(bad2.body.error.field).toBe('hlsOrigin');
  });
});

describe('packager keyinfo', () => {
  it('gives the current and next period of the channel, numbered from the Unix epoch', async () => {
    const answer = await packager.get('/api/v1/packager/news/keyinfo');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const period = Math.floor(t.clock.now() / 1000 / 600);
    expect(answer.body.cryptoPeriodSeconds).toBe(600);
    expect(answer.body.current.period).toBe(period);
    expect(answer.body.next.period).toBe(period + 1);
    expect(answer.body.current.key).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.body.current.iv).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.body.next.key).not.toBe(answer.body.current.key);
    expect(answer.body.current.keyUri).toBe(`${t.cas.apiUrl}/keys/news/${period}`);
    expect(Date.parse(answer.body.current.startsAt)).toBe(period * 600_000);
    expect(Date.parse(answer.body.current.endsAt)).toBe((period + 1) * 600_000);
  });

  it('refuses callers without a packager API key', async () => {
    expect((await t.client.get('/api/v1/packager/news/keyinfo')).status).toBe(401);
    const reader = await t.admin.post('/api/admin/api-keys', { name: 'script', scopes: ['admin-read'] });
    expect((await t.client.withToken(reader.body.key).get('/api/v1/packager/news/keyinfo')).status).toBe(403);
    expect((await t.client.withToken(viewerToken).get('/api/v1/packager/news/keyinfo')).status).toBe(401);
  });

  it('limits a key created for some channels to them (403 for any other), while unlimited keys keep every channel', async () => {
    const limited = await t.admin.post('/api/admin/api-keys', { name: 'news encoder', scopes: ['packager'], channels: ['news'] });
    expect(limited.status, JSON.stringify(limited.body)).toBe(201);
    expect(limited.body.channels).toEqual(['news']);
    const newsOnly = t.client.withToken(limited.body.key);
    expect((await newsOnly.get('/api/v1/packager/news/keyinfo')).status).toBe(200);
    const refused = await newsOnly.get('/api/v1/packager/movies/keyinfo');
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('channel_not_allowed');
    expect((await newsOnly.get('/api/v1/packager/nope/keyinfo')).status).toBe(403);
    expect((await packager.get('/api/v1/packager/movies/keyinfo')).status).toBe(200);
    const listed = (await t.admin.get('/api/admin/api-keys')).body as Array<{ name: string; channels: string[] | null }>;
    expect(listed.find((k) => k.name === 'encoder')!.channels).toBeNull();
  });

  it('refuses a channel limit naming an unknown channel, an empty list, or a key without the packager scope', async () => {
    for (const body of [
      { name: 'x', scopes: ['packager'], channels: ['nope'] },
      { name: 'x', scopes: ['packager'], channels: [] },
      { name: 'x', scopes: ['admin-read'], channels: ['news'] },
    ]) {
      const answer = await t.admin.post('/api/admin/api-keys', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field).toBe('channels');
    }
  });

  it('answers 404 for an unknown channel and 400 for a malformed one', async () => {
    expect((await packager.get('/api/v1/packager/nope/keyinfo')).status).toBe(404);
    const bad = await packager.get('/api/v1/packager/NOPE!/keyinfo');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('channel');
  });
});

describe('key delivery', () => {
  it('returns the 16 raw key bytes to an entitled viewer, with the token as bearer or query', async () => {
    const info = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    const byHeader = await rawKey(`/keys/news/${info.current.period}`, { authorization: `Bearer ${viewerToken}` });
    expect(byHeader.status).toBe(200);
    expect(byHeader.headers.get('content-type')).toBe('application/octet-stream');
    expect(byHeader.headers.get('cache-control')).toBe('no-store');
    expect(byHeader.bytes.toString('hex')).toBe(info.current.key);
    const byQuery = await rawKey(`/keys/news/${info.next.period}?token=${encodeURIComponent(viewerToken)}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.bytes.toString('hex')).toBe(info.next.key);
  });

  it('lets browser players on another origin fetch keys (CORS, preflight for the Authorization header)', async () => {
    const period = Math.floor(t.clock.now() / 600_000);
    const preflight = await fetch(`${t.cas.apiUrl}/keys/news/${period}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://player.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const key = await rawKey(`/keys/news/${period}`, { authorization: `Bearer ${viewerToken}`, origin: 'http://player.example' });
    expect(key.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses a viewer without the channel, a wrong token and no credential with 403', async () => {
    const period = Math.floor(t.clock.now() / 600_000);
    const outsider = await rawKey(`/keys/news/${period}`, { authorization: `Bearer ${outsiderToken}` });
    expect(outsider.status).toBe(403);
    expect(outsider.bytes.length).not.toBe(16);
    expect((await rawKey(`/keys/news/${period}?token=wrong-token-wrong-token`)).status).toBe(403);
    expect((await rawKey(`/keys/news/${period}`)).status).toBe(403);
  });

  it('answers 404 beyond the next period and outside the retention window', async () => {
    const period = Math.floor(t.clock.now() / 600_000);
    const auth = { authorization: `Bearer ${viewerToken}` };
    expect((await rawKey(`/keys/news/${period + 2}`, auth)).status).toBe(404);
    const old = period - 1000;
    expect((await rawKey(`/keys/news/${old}`, auth)).status).toBe(404);
    expect((await rawKey('/keys/news/abc', auth)).status).toBe(400);
  });

  it('still serves keys made under an earlier period length after the channel changed it', async () => {
    expect((await t.admin.post('/api/admin/channels', { id: 'sports', name: 'Sports', packages: ['basic'] })).status).toBe(201);
    const before = (await packager.get('/api/v1/packager/sports/keyinfo')).body;
    expect((await t.admin.patch('/api/admin/channels/sports', { cryptoPeriodSeconds: 2 })).status).toBe(200);
    const after = (await packager.get('/api/v1/packager/sports/keyinfo')).body;
    expect(after.cryptoPeriodSeconds).toBe(2);
    expect(after.current.period).toBe(Math.floor(t.clock.now() / 2000));
    const auth = { authorization: `Bearer ${viewerToken}` };
    const old = await rawKey(`/keys/sports/${before.current.period}`, auth);
    expect(old.status).toBe(200);
    expect(old.bytes.toString('hex')).toBe(before.current.key);
    const current = await rawKey(`/keys/sports/${after.current.period}`, auth);
    expect(current.bytes.toString('hex')).toBe(after.current.key);
  });

  it('keeps an old key for the retention window, then deletes it', async () => {
    const info = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    const auth = { authorization: `Bearer ${viewerToken}` };
    t.clock.advance(2 * 600_000);
    t.cas.services.keys.rotation.ensureKeys();
    const stillThere = await rawKey(`/keys/news/${info.current.period}`, auth);
    expect(stillThere.status).toBe(200);
    expect(stillThere.bytes.toString('hex')).toBe(info.current.key);
    expect((await t.admin.patch('/api/admin/settings', { controlWordRetentionHours: 1 })).status).toBe(200);
    t.clock.advance(3_600_000);
    expect((await rawKey(`/keys/news/${info.current.period}`, auth)).status).toBe(404);
    const rowsOf = (period: number) =>
      (t.cas.ctx.db.prepare('SELECT count(*) AS n FROM control_words WHERE channel_id = ? AND period = ?').get('news', period) as { n: number }).n;
    expect(rowsOf(info.current.period)).toBe(1);
    const deleted = t.cas.services.keys.rotation.prune();
    expect(deleted.controlWords).toBeGreaterThanOrEqual(2);
    expect(rowsOf(info.current.period)).toBe(0);
    const status = (await t.admin.get('/api/admin/keys/channels/news')).body;
    expect(Date.parse(status.oldestKeyPeriodEndsAt)).toBeGreaterThan(t.clock.now() - 3_600_000);
  });
});

describe('rotation', () => {
  it('is idempotent: running the rotator again, or after the clock went back, adds no keys', async () => {
    t.cas.services.keys.rotation.ensureKeys();
    t.clock.advance(600_000);
    t.cas.services.keys.rotation.ensureKeys();
    const count = async () => (await t.admin.get('/api/admin/keys/rotations?kind=ecm&channel=movies&pageSize=500')).body.total;
    const before = await count();
    t.cas.services.keys.rotation.ensureKeys();
    t.clock.advance(-600_000);
    t.cas.services.keys.rotation.ensureKeys();
    t.clock.advance(600_000);
    t.cas.services.keys.rotation.ensureKeys();
    expect(await count()).toBe(before);
    t.clock.advance(600_000);
    t.cas.services.keys.rotation.ensureKeys();
    expect(await count()).toBe(before + 1);
  });

  it('shows per channel the period length, current period, next rotation and keys held, never key bytes', async () => {
    const info = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    const status = await t.admin.get('/api/admin/keys');
    expect(status.status).toBe(200);
    const news = status.body.channels.find((c: any) => c.channelId === 'news');
    expect(news.cryptoPeriodSeconds).toBe(600);
    expect(news.currentPeriod).toBe(info.current.period);
    expect(Date.parse(news.nextRotationAt)).toBe((info.current.period + 1) * 600_000);
    expect(news.nextKeyReady).toBe(true);
    expect(news.keysHeld).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(status.body)).not.toContain(info.current.key);
    expect(status.body.packages.map((p: any) => p.packageId)).toContain('premium');
  });

  it('manual ECM rotation replaces the current key for what comes next and keeps the served one', async () => {
    const before = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    const answer = await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'news' });
    expect(answer.status).toBe(200);
    expect(answer.body.rotations.map((r: any) => [r.period, r.generation, r.trigger])).toEqual([
      [before.current.period, 1, 'manual'],
      [before.next.period, 1, 'manual'],
    ]);
    const after = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    expect(after.current.period).toBe(before.current.period);
    expect(after.current.keyId).toBe(`${before.current.period}-1`);
    expect(after.current.key).not.toBe(before.current.key);
    expect(after.next.key).not.toBe(before.next.key);
    expect(after.current.keyUri).toMatch(new RegExp(`/keys/news/${before.current.period}-1$`));
    const auth = { authorization: `Bearer ${viewerToken}` };
    expect((await rawKey(`/keys/news/${before.current.period}`, auth)).bytes.toString('hex')).toBe(before.current.key);
    expect((await rawKey(`/keys/news/${after.current.keyId}`, auth)).bytes.toString('hex')).toBe(after.current.key);
    const audit = await t.admin.get('/api/admin/audit?action=keys.rotate');
    expect(audit.body.items[0].summary).toMatchObject({ kind: 'ecm', scope: 'news' });
    expect((await t.admin.get('/api/admin/keys/channels/news')).body.currentGeneration).toBe(1);
  });

  it('manual EMM rotation starts a new package epoch now and voids the prepared one', async () => {
    const keys = t.cas.services.keys.packageEpochs;
    const before = keys.currentEpoch('premium');
    const prepared = keys.currentPackageKeys('premium').next;
    const answer = await t.admin.post('/api/admin/keys/rotate', { kind: 'emm', package: 'premium' });
    expect(answer.status).toBe(200);
    const after = keys.currentEpoch('premium');
    expect(after.epoch).toBeGreaterThan(prepared.epoch);
    expect(after.startsAt).toBe(t.clock.now());
    expect(keys.packageKeyFor('premium', prepared.epoch)).toBeNull();
    expect(keys.packageKeyFor('premium', before.epoch)?.endsAt).toBe(t.clock.now());
    expect(keys.packageKeyFor('premium', after.epoch)!.key.equals(keys.packageKeyFor('premium', before.epoch)!.key)).toBe(false);
    const history = await t.admin.get('/api/admin/keys/rotations?kind=emm&package=premium&trigger=manual');
    expect(history.body.items[0].epoch).toBe(after.epoch + 1);
    expect(history.body.items[1].epoch).toBe(after.epoch);
  });

  it('lets only administrators rotate, and validates the request', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'obs', password: 'observer-pass-1', role: 'observer' });
    const login = await t.anonymous.post('/api/admin/login', { username: 'obs', password: 'observer-pass-1' });
    const observer = t.anonymous.withToken(login.body.token);
    expect((await observer.post('/api/admin/keys/rotate', { kind: 'ecm' })).status).toBe(403);
    expect((await observer.get('/api/admin/keys')).status).toBe(200);
    const mixed = await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', package: 'basic' });
    expect(mixed.status).toBe(400);
    expect(mixed.body.error.field).toBe('package');
    expect((await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'ghost' })).status).toBe(404);
    const all = await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm' });
    expect(new Set(all.body.rotations.map((r: any) => r.channelId))).toEqual(new Set(['news', 'movies', 'sports']));
  });

  it('pages the rotation history newest first', async () => {
    const page1 = await t.admin.get('/api/admin/keys/rotations?pageSize=2');
    const page2 = await t.admin.get('/api/admin/keys/rotations?pageSize=2&page=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.total).toBeGreaterThan(4);
    expect(page1.body.items[1].id).toBeGreaterThan(page2.body.items[0].id);
    expect((await t.admin.get('/api/admin/keys/rotations?kind=xyz')).body.error.field).toBe('kind');
  });

  it('uses an index for every key lookup and retention sweep', () => {
    const plans = explainKeyQueries(t.cas.ctx.db);
    expect(plans.latestControlWord).toMatch(/USING PRIMARY KEY/);
    expect(plans.controlWordUnderAnyLength).toMatch(/INDEX control_words_by_channel_period/);
    expect(plans.controlWordSweep).toMatch(/INDEX control_words_by_end/);
    expect(plans.packageKeyAt).toMatch(/INDEX package_keys_by_start|PRIMARY KEY/);
    expect(plans.packageKeySweep).toMatch(/INDEX package_keys_by_end/);
    expect(plans.rotationSweep).toMatch(/INDEX key_rotations_by_at/);
    for (const [name, plan] of Object.entries(plans)) expect(plan, name).not.toMatch(/^SCAN|\| SCAN (?!.*USING)/);
  });

  it('uses an index for every rotation-history filter', () => {
    const db = t.cas.ctx.db;
    for (const filter of [{}, { kind: 'ecm' as const }, { trigger: 'manual' as const }, { channel: 'news' }, { package: 'basic' }]) {
      const plan = explainRotationList(db, filter).join(' | ');
      expect(plan).toMatch(/USING (COVERING )?INDEX key_rotations_by_/);
    }
  });

  it('rotates package keys when the epoch ends, without a gap', () => {
    const { packageEpochs, rotation } = t.cas.services.keys;
    const current = packageEpochs.currentEpoch('basic');
    t.clock.ms = current.endsAt + 1;
    rotation.ensureKeys();
    const next = packageEpochs.currentEpoch('basic');
    expect(next.epoch).toBe(current.epoch + 1);
    expect(next.startsAt).toBe(current.endsAt);
    expect(next.endsAt - next.startsAt).toBe(30 * 86_400_000);
  });
});

describe('OpenAPI', () => {
  it('documents the key routes of both listeners', async () => {
    const doc = await t.admin.get('/api/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/admin/keys', '/api/admin/keys/rotate', '/api/admin/keys/rotations', '/api/v1/packager/{channel}/keyinfo', '/keys/{channel}/{period}']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
  });
});

describe('restart', () => {
  it('gives the same key for the same period after the server restarts', async () => {
    const before = (await packager.get('/api/v1/packager/news/keyinfo')).body;
    t = await t.restart();
    const again = (await t.client.withToken(packager.token).get('/api/v1/packager/news/keyinfo')).body;
    expect(again.current.keyId).toBe(before.current.keyId);
    expect(again.current.key).toBe(before.current.key);
    expect(again.next.key).toBe(before.next.key);
    packager = t.client.withToken(packager.token);
  });
});
