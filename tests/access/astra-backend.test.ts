import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';
import { BACKEND_DEADLINE_MS } from '../../src-main/auth-backends/backend-common';

let t: TestCas;
let viewer: any;

beforeAll(async () => {
  t = await startTestCas();
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'] });
  await createChannel(t, { id: 'movies', name: 'Movies', number: 2, packages: ['premium'] });
  await createChannel(t, { id: 'off-air', name: 'Off air', number: 3, packages: ['basic'], enabled: false });
  viewer = await createViewer(t, { packages: ['basic'], password: 'viewer-password-1', maxConnections: 0 });
});
afterAll(async () => {
  await t.dispose();
});

describe('Astra HTTP backend', () => {
  it('allows an entitled account token with 200 and names the session after the user', async () => {
    const answer = await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.10', channel: 'news', session: '1' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-session-name')).toBe(viewer.username);
  });

  it('refuses a viewer without a credential with 403 and the reason', async () => {
    const answer = await astra(t.client, '', { ip: '192.0.2.11', channel: 'news' });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-cas-reason')).toBe('no_credential');
  });

  it('sends X-Location with refusals once a promo URL is configured', async () => {
    await patchSettings(t, { denyRedirectUrl: 'http://promo.example/matras' });
    const answer = await astra(t.client, 'token=nope-nope-nope-nope-nope-nope-nope-nope', { ip: '192.0.2.12', channel: 'news' });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-location')).toBe('http://promo.example/matras');
    expect(answer.headers.get('x-cas-reason')).toBe('bad_credential');
    await patchSettings(t, { denyRedirectUrl: null });
  });

  it('accepts login:password and checks the password with scrypt only once while it is remembered', async () => {
    const { counts } = t.cas.services.diagnostics;
    const before = counts.passwordHashChecks;
    for (let i = 0; i < 5; i++) {
      const answer = await astra(t.client, `auth=${viewer.username}:viewer-password-1`, { ip: '192.0.2.13', channel: 'news', session: 'p1' });
      expect(answer.status).toBe(200);
    }
    expect(counts.passwordHashChecks - before).toBe(1);
  });

  it('pays a full scrypt for every wrong password and refuses further attempts once the limit is reached', async () => {
    const { counts } = t.cas.services.diagnostics;
    const before = counts.passwordHashChecks;
    const statuses: Array<string | null> = [];
    for (let i = 0; i < 11; i++) {
      const answer = await astra(t.client, `auth=${viewer.username}:wrong-password-${i}`, { ip: '192.0.2.14', channel: 'news' });
      statuses.push(answer.headers.get('x-cas-reason'));
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill('bad_credential'));
    expect(statuses[10]).toBe('rate_limited');
    expect(counts.passwordHashChecks - before).toBe(10);
    // The subscriber whose password was verified moments ago keeps watching during the lockout.
    const watching = await astra(t.client, `auth=${viewer.username}:viewer-password-1`, { ip: '192.0.2.13', channel: 'news', session: 'p1' });
    expect(watching.status).toBe(200);
    // A token is never blocked by password guessing from the same address.
    expect((await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.14', channel: 'news' })).status).toBe(200);
  });

  it('refuses a channel outside the account packages, an unknown channel and a disabled one', async () => {
    const reasons = [];
    for (const channel of ['movies', 'no-such-channel', 'off-air']) {
      const answer = await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.15', channel });
      expect(answer.status).toBe(403);
      reasons.push(answer.headers.get('x-cas-reason'));
    }
    expect(reasons).toEqual(['not_entitled', 'channel_unknown', 'channel_disabled']);
  });

  it('refuses a disabled account and an expired one', async () => {
    const disabled = await createViewer(t, { packages: ['basic'], enabled: false });
    expect((await astra(t.client, `token=${disabled.token}`, { ip: '192.0.2.16', channel: 'news' })).headers.get('x-cas-reason')).toBe('disabled');
    const soon = await createViewer(t, { packages: ['basic'], expiresAt: new Date(t.clock.now() + 60_000).toISOString() });
    expect((await astra(t.client, `token=${soon.token}`, { ip: '192.0.2.16', channel: 'news' })).status).toBe(200);
    t.clock.advance(61_000);
    expect((await astra(t.client, `token=${soon.token}`, { ip: '192.0.2.16', channel: 'news' })).headers.get('x-cas-reason')).toBe('expired');
  });

  it("refuses an address outside the account's allowed IPs and accepts one inside (IPv4-mapped IPv6 too)", async () => {
    const pinned = await createViewer(t, { packages: ['basic'], allowedIps: ['198.51.100.0/24'], maxConnections: 0 });
    expect((await astra(t.client, `token=${pinned.token}`, { ip: '203.0.113.9', channel: 'news' })).headers.get('x-cas-reason')).toBe('ip_not_allowed');
    expect((await astra(t.client, `token=${pinned.token}`, { ip: '198.51.100.7', channel: 'news' })).status).toBe(200);
    expect((await astra(t.client, `token=${pinned.token}`, { ip: '::ffff:198.51.100.8', channel: 'news' })).status).toBe(200);
  });

  it('takes account changes into effect at once (cache invalidation)', async () => {
    const changing = await createViewer(t, { packages: ['basic'] });
    expect((await astra(t.client, `token=${changing.token}`, { ip: '192.0.2.17', channel: 'news' })).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${changing.id}`, { packages: ['premium'] });
    expect((await astra(t.client, `token=${changing.token}`, { ip: '192.0.2.17', channel: 'news' })).headers.get('x-cas-reason')).toBe('not_entitled');
    expect((await astra(t.client, `token=${changing.token}`, { ip: '192.0.2.17', channel: 'movies' })).status).toBe(200);
    await t.admin.patch('/api/admin/channels/movies', { enabled: false });
    expect((await astra(t.client, `token=${changing.token}`, { ip: '192.0.2.17', channel: 'movies' })).headers.get('x-cas-reason')).toBe('channel_disabled');
    await t.admin.patch('/api/admin/channels/movies', { enabled: true });
  });
});

describe('Astra backend robustness', () => {
  it('answers 403, never a 5xx, when Astra headers are missing', async () => {
    const answer = await t.client.get(`/auth/astra?token=${viewer.token}`);
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-cas-reason')).toBe('bad_request');
  });

  it('finds the channel from X-Real-Path when X-Channel-ID is not a CAS channel id', async () => {
    const answer = await t.client.get(`/auth/astra?token=${viewer.token}`, {
      'x-real-ip': '192.0.2.30',
      'x-channel-id': 'a001',
      'x-real-path': '/tv/news/index.m3u8',
    });
    expect(answer.status).toBe(200);
    const log = await t.admin.get('/api/admin/access-log?ip=192.0.2.30');
    expect(log.body.items[0].channelId).toBe('news');
  });

  it('keeps the refusal reasons of the decision contract and of the API schema identical', async () => {
    const { refusalReasons } = await import('../../src-main/access/access-types');
    const { refusalReasonValues } = await import('../../src-shared/schemas/access');
    expect([...refusalReasonValues]).toEqual([...refusalReasons]);
  });
});

describe('IP allow and deny lists', () => {
  it('lets an allow-listed network in without a credential', async () => {
    const added = await t.admin.post('/api/admin/access/ip-rules', { list: 'allow', range: '10.20.0.0/16', comment: 'hotel' });
    expect(added.status).toBe(201);
    expect(added.body.range).toBe('10.20.0.0/16');
    const answer = await astra(t.client, '', { ip: '10.20.3.4', channel: 'news' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cas-reason')).toBe('allow_list');
    expect((await astra(t.client, '', { ip: '::ffff:10.20.9.9', channel: 'news' })).status).toBe(200);
    expect((await t.admin.delete(`/api/admin/access/ip-rules/${added.body.id}`)).status).toBe(204);
    expect((await astra(t.client, '', { ip: '10.20.3.4', channel: 'news' })).status).toBe(403);
  });

  it('refuses a denied address even with a valid token, and deny wins over allow', async () => {
    await t.admin.post('/api/admin/access/ip-rules', { list: 'allow', range: '2001:db8::/32' });
    await t.admin.post('/api/admin/access/ip-rules', { list: 'deny', range: '2001:db8:bad::/48' });
    expect((await astra(t.client, `token=${viewer.token}`, { ip: '2001:db8:bad::1', channel: 'news' })).headers.get('x-cas-reason')).toBe('ip_denied');
    expect((await astra(t.client, '', { ip: '2001:db8:1::1', channel: 'news' })).status).toBe(200);
  });

  it('rejects a malformed range with a 400 naming the field', async () => {
    const answer = await t.admin.post('/api/admin/access/ip-rules', { list: 'deny', range: '10.0.0.300' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('range');
  });
});

describe('one reading of the channel (Astra X-Channel-ID and X-Real-Path, Flussonic name)', () => {
  const ask = (channel: string, path: string, token = viewer.token) =>
    t.client.get(`/auth/astra?token=${token}`, { 'x-real-ip': '192.0.2.40', 'x-channel-id': channel, 'x-real-path': path, 'x-session-id': '40' });

  it('allows when the stream id and the path name the same channel, or only one of them names one', async () => {
    expect((await ask('news', '/tv/news/index.m3u8')).status).toBe(200);
    expect((await ask('a001', '/tv/news/index.m3u8')).status).toBe(200);
    expect((await ask('news', '/play/a001/index.m3u8')).status).toBe(200);
  });

  it('refuses a stream id that contradicts the path (channel_mismatch)', async () => {
    for (const [channel, path] of [
      ['news', '/tv/movies/index.m3u8'],
      ['movies', '/tv/news/index.m3u8'],
    ]) {
      const answer = await ask(channel, path);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('x-cas-reason')).toBe('channel_mismatch');
    }
  });

  it('refuses a path that is not canonical, whatever the stream id (non_canonical_path), and logs it', async () => {
    for (const [channel, path] of [
      ['news', '/tv/news/../movies/index.m3u8'],
      ['a001', '/tv/news/%2e%2e/movies/index.m3u8'],
      ['a001', '/tv/news%2fseg.ts'],
      ['news', '/tv//news/index.m3u8'],
      ['news', '/tv/news/index.m3u8;jsessionid=1'],
      ['a001', '/tv/news\\..\\movies/index.m3u8'],
    ]) {
      const answer = await ask(channel, path);
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('x-cas-reason'), path).toBe('non_canonical_path');
    }
    const log = await t.admin.get('/api/admin/access-log?reason=non_canonical_path');
    expect(log.body.total).toBeGreaterThan(0);
  });

  it('refuses a Flussonic stream name that is not a canonical path', async () => {
    const fields = `ip=192.0.2.41&token=${viewer.token}&session_id=f-41`;
    expect((await t.client.get(`/auth/flussonic?name=news&${fields}`)).status).toBe(200);
    for (const name of ['news/../movies', 'tv/news/%2e%2e/movies', 'tv//movies']) {
      const answer = await t.client.get(`/auth/flussonic?name=${encodeURIComponent(name)}&${fields}`);
      expect(answer.status, name).toBe(403);
      expect(answer.headers.get('x-cas-reason'), name).toBe('non_canonical_path');
    }
  });
});

describe('an answer, always and in time', () => {
  it('refuses (timeout) when a decision hangs, so Astra is never left without an answer', async () => {
    const stalled = vi.spyOn(t.cas.services.access, 'decide').mockImplementation(() => new Promise(() => undefined));
    try {
      const started = Date.now();
      const answer = await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.90', channel: 'news', session: '90' });
      expect(answer.status).toBe(403);
      expect(answer.headers.get('x-cas-reason')).toBe('timeout');
      expect(Date.now() - started).toBeLessThan(BACKEND_DEADLINE_MS + 2000);
    } finally {
      stalled.mockRestore();
    }
  }, 15_000);
});

describe('who may ask', () => {
  it('refuses callers that are not registered streaming servers', async () => {
    await patchSettings(t, { streamingServers: ['10.9.9.0/24'] });
    const answer = await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.20', channel: 'news' });
    expect(answer.status).toBe(403);
    expect(answer.body.error.reason).toBe('not_streaming_server');
    await patchSettings(t, { streamingServers: ['127.0.0.1/32', '::1/128'] });
  });

  it('reads X-Forwarded-For only behind a trusted proxy, from the right, never trusting the leftmost entry', async () => {
    await patchSettings(t, { streamingServers: ['10.9.9.9/32'], trustedProxies: ['127.0.0.1/32'] });
    const headers = { 'x-real-ip': '192.0.2.21', 'x-channel-id': 'news' };
    const spoofed = await t.client.get(`/auth/astra?token=${viewer.token}`, { ...headers, 'x-forwarded-for': '10.9.9.9, 192.0.2.99' });
    expect(spoofed.status).toBe(403);
    const real = await t.client.get(`/auth/astra?token=${viewer.token}`, { ...headers, 'x-forwarded-for': '192.0.2.99, 10.9.9.9' });
    expect(real.status).toBe(200);
    await patchSettings(t, { streamingServers: ['127.0.0.1/32', '::1/128'], trustedProxies: [] });
    const noProxy = await t.client.get(`/auth/astra?token=${viewer.token}`, { ...headers, 'x-forwarded-for': '10.9.9.9' });
    expect(noProxy.status).toBe(200);
  });
});

describe('GET /time', () => {
  it('answers the server time', async () => {
    const answer = await t.client.get('/time');
    expect(answer.status).toBe(200);
    expect(answer.body.ms).toBe(t.clock.now());
    expect(answer.body.unix).toBe(Math.floor(t.clock.now() / 1000));
  });
});
