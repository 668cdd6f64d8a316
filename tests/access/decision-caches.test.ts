import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer } from './access-helpers';

// The decision path answers from memory; every cache it reads is invalidated by the event that
// changes its data, so each change below is refused (or allowed) by the very next request.

let t: TestCas;
let ipCounter = 0;

beforeAll(async () => {
  t = await startTestCas();
  await createChannel(t, { id: 'cache-news', name: 'News', number: 1, packages: ['basic'] });
  await createChannel(t, { id: 'cache-movies', name: 'Movies', number: 2, packages: ['premium'] });
});
afterAll(() => t.dispose());

/** A viewer address of its own per test, so no test meets another's sessions or refusal counts. */
function freshIp(): string {
  ipCounter++;
  return `198.51.100.${ipCounter}`;
}

const reasonOf = async (query: string, ip: string, channel = 'cache-news', session?: string) =>
  (await astra(t.client, query, { ip, channel, session })).headers.get('x-cas-reason');

/** SQLite reads the viewer directory made (account lookups and channel-table loads). */
function directoryReads(): { accounts: number; channels: number } {
  const { viewerAccountReads, viewerChannelReads } = t.cas.services.diagnostics.counts;
  return { accounts: viewerAccountReads, channels: viewerChannelReads };
}

const unknownToken = () => randomBytes(24).toString('base64url');

describe('the warm decision path', () => {
  it('answers allowed, refused and unknown-token requests without reading SQLite', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    const stranger = unknownToken();
    // Warm up: each lookup once.
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
    expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-movies')).toBe('not_entitled');
    expect(await reasonOf(`token=${stranger}`, ip)).toBe('bad_credential');
    const before = directoryReads();
    for (let i = 0; i < 5; i++) {
      expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
      expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-movies')).toBe('not_entitled');
      expect(await reasonOf(`token=${stranger}`, ip)).toBe('bad_credential');
    }
    expect(directoryReads()).toEqual(before);
  });
});

describe('the warm Flussonic path', () => {
  const flussonic = (fields: string) => t.client.get(`/auth/flussonic?proto=hls&request_type=update_session&${fields}`);

  it('answers allowed and refused requests without reading SQLite', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    const ask = (channel: string) => flussonic(`name=${channel}&ip=${ip}&token=${viewer.token}&session_id=fw-${ipCounter}&qs=${encodeURIComponent(`token=${viewer.token}`)}`);
    expect((await ask('cache-news')).headers.get('x-cas-reason')).toBe('credential');
    expect((await ask('cache-movies')).headers.get('x-cas-reason')).toBe('not_entitled');
    const before = directoryReads();
    for (let i = 0; i < 5; i++) {
      expect((await ask('cache-news')).headers.get('x-cas-reason')).toBe('credential');
      expect((await ask('cache-movies')).headers.get('x-cas-reason')).toBe('not_entitled');
    }
    expect(directoryReads()).toEqual(before);
  });

  it('reads the first value of a repeated field, and fields named like object properties as fields', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    const answer = await flussonic(`constructor=x&__proto__=y&name=cache-news&name=cache-movies&ip=${ip}&ip=192.0.2.250&token=${viewer.token}&session_id=fr-${ipCounter}`);
    expect(answer.headers.get('x-cas-reason')).toBe('credential');
    const refused = await flussonic(`name=cache-movies&name=cache-news&ip=${ip}&token=${viewer.token}&session_id=fr-${ipCounter}`);
    expect(refused.headers.get('x-cas-reason')).toBe('not_entitled');
  });
});

describe('revocation and change take effect at the very next request', () => {
  it('allows an account created with a token that was unknown a moment ago', async () => {
    const token = unknownToken();
    const ip = freshIp();
    expect(await reasonOf(`token=${token}`, ip)).toBe('bad_credential');
    const reads = directoryReads().accounts;
    expect(await reasonOf(`token=${token}`, ip)).toBe('bad_credential');
    expect(directoryReads().accounts).toBe(reads);
    await createViewer(t, { packages: ['basic'], token });
    expect(await reasonOf(`token=${token}`, ip)).toBe('credential');
  });

  it('allows a username that was unknown once its account exists', async () => {
    const ip = freshIp();
    const username = `late-${ipCounter}`;
    expect(await reasonOf(`auth=${username}:late-password-1`, ip)).toBe('bad_credential');
    await createViewer(t, { username, password: 'late-password-1', packages: ['basic'] });
    expect(await reasonOf(`auth=${username}:late-password-1`, ip)).toBe('credential');
  });

  it('refuses a disabled account', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
    expect((await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { enabled: false })).status).toBe(200);
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('disabled');
  });

  it('refuses a channel once its package is taken from the account', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
    expect((await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { packages: [] })).status).toBe(200);
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('not_entitled');
  });

  it('refuses the old token and allows the new one once the token is regenerated', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
    const regenerated = await t.admin.post(`/api/admin/accounts/${viewer.id}/token`);
    expect(regenerated.status).toBe(200);
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('bad_credential');
    expect(await reasonOf(`token=${regenerated.body.token}`, ip)).toBe('credential');
  });

  it('refuses a disabled channel', async () => {
    await createChannel(t, { id: 'cache-sport', name: 'Sport', number: 3, packages: ['basic'] });
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-sport')).toBe('credential');
    expect((await t.admin.patch('/api/admin/channels/cache-sport', { enabled: false })).status).toBe(200);
    expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-sport')).toBe('channel_disabled');
  });

  it('refuses an address put on the deny list', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('credential');
    expect((await t.admin.post('/api/admin/access/ip-rules', { list: 'deny', range: ip, comment: 'cache test' })).status).toBe(201);
    expect(await reasonOf(`token=${viewer.token}`, ip)).toBe('ip_denied');
  });

  it('refuses a session the operator ended', async () => {
    const viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const ip = freshIp();
    expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-news', 'astra-1')).toBe('credential');
    const sessions = await t.admin.get(`/api/admin/sessions?account=${viewer.id}`);
    expect(sessions.body.items).toHaveLength(1);
    expect((await t.admin.delete(`/api/admin/sessions/${sessions.body.items[0].id}`)).status).toBe(204);
    expect(await reasonOf(`token=${viewer.token}`, ip, 'cache-news', 'astra-1')).toBe('session_ended');
  });
});
