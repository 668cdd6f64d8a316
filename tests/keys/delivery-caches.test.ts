import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';

/**
 * The content-delivery caches (control words, origin playlists) serve the warm path without
 * SQL reads, unsealing or origin fetches — and every event that changes what they hold takes
 * effect at the next request.
 */
let t: TestCas;
let originServer: Server;
let originBase: string;
let originHits = 0;
let originHold: Promise<void> | null = null;
let originVersion = 'a';

function mediaPlaylist(period: number): string {
  return `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-KEY:METHOD=AES-128,URI="http://cas.example/keys/cached/${period}"
#EXTINF:6.0,
seg-${originVersion}.ts
`;
}

const counts = () => ({ ...t.cas.services.diagnostics.counts });
const periodNow = () => Math.floor(t.clock.now() / 600_000);

async function keyBytes(token: string, keyId: string | number): Promise<{ status: number; key: Buffer }> {
  const answer = await fetch(`${t.cas.apiUrl}/keys/cached/${keyId}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: answer.status, key: Buffer.from(await answer.arrayBuffer()) };
}

async function viewer(username: string): Promise<{ id: number; token: string }> {
  const created = await t.admin.post('/api/admin/accounts', { username, packages: ['basic'], maxConnections: 0 });
  expect(created.status).toBe(201);
  return { id: created.body.id, token: created.body.token };
}

beforeAll(async () => {
  originServer = createServer((_req, res) => {
    originHits++;
    const answer = () => res.end(mediaPlaylist(periodNow()));
    if (originHold) void originHold.then(answer);
    else answer();
  });
  await new Promise<void>((resolve) => originServer.listen(0, '127.0.0.1', resolve));
  originBase = `http://127.0.0.1:${(originServer.address() as AddressInfo).port}`;
  t = await startTestCas();
  await t.admin.post('/api/admin/channels', { id: 'cached', name: 'Cached', packages: ['basic'], hlsOrigin: `${originBase}/live/` });
});
afterAll(async () => {
  await t.dispose();
  await new Promise((resolve) => originServer.close(resolve));
});

describe('key delivery from memory', () => {
  it('unseals a control word once, then serves it without unsealing again', async () => {
    const { token } = await viewer('keys-warm');
    const first = await keyBytes(token, periodNow());
    expect(first.status).toBe(200);
    const before = counts();
    for (let i = 0; i < 5; i++) expect((await keyBytes(token, periodNow())).key).toEqual(first.key);
    expect(counts().keyUnseals - before.keyUnseals).toBe(0);
  });

  it('serves the new generation at once after a rotation, and the old one keeps working', async () => {
    const { token } = await viewer('keys-rotated');
    const period = periodNow();
    const old = await keyBytes(token, period);
    const rotated = await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'cached' });
    expect(rotated.status).toBe(200);
    const generation = rotated.body.rotations.find((r: { period: number }) => r.period === period).generation;
    const fresh = await keyBytes(token, `${period}-${generation}`);
    expect(fresh.status).toBe(200);
    expect(fresh.key.equals(old.key)).toBe(false);
    expect(t.cas.services.keys.controlWords.controlWordFor('cached', period)!.key).toEqual(fresh.key);
    expect((await keyBytes(token, period)).key).toEqual(old.key);
  });

  it('refuses a cached key once its period has left the retention window', async () => {
    const { token } = await viewer('keys-retention');
    const period = periodNow();
    expect((await keyBytes(token, period)).status).toBe(200);
    const hours = (await t.admin.get('/api/admin/settings')).body.controlWordRetentionHours as number;
    t.clock.advance(hours * 3_600_000 + 1_200_000);
    try {
      expect((await keyBytes(token, period)).status).toBe(404);
    } finally {
      t.clock.advance(-(hours * 3_600_000 + 1_200_000));
    }
  });

  it('refuses the next key request at once when the account is disabled or loses the package, or the channel is disabled', async () => {
    const disabled = await viewer('keys-disabled');
    const unpackaged = await viewer('keys-unpackaged');
    for (const v of [disabled, unpackaged]) expect((await keyBytes(v.token, periodNow())).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${disabled.id}`, { enabled: false });
    await t.admin.patch(`/api/admin/accounts/${unpackaged.id}`, { packages: [] });
    expect((await keyBytes(disabled.token, periodNow())).status).toBe(403);
    expect((await keyBytes(unpackaged.token, periodNow())).status).toBe(403);

    const still = await viewer('keys-channel-off');
    expect((await keyBytes(still.token, periodNow())).status).toBe(200);
    await t.admin.patch('/api/admin/channels/cached', { enabled: false });
    try {
      expect((await keyBytes(still.token, periodNow())).status).toBe(403);
    } finally {
      await t.admin.patch('/api/admin/channels/cached', { enabled: true });
    }
  });
});

describe('/hls playlists from one origin read', () => {
  const playlist = (token: string) => t.client.get(`/hls/cached/index.m3u8?token=${encodeURIComponent(token)}`);

  it('shares one origin fetch between concurrent viewers, each with its own tickets', async () => {
    const a = await viewer('hls-a');
    const b = await viewer('hls-b');
    t.clock.advance(60_000);
    let release!: () => void;
    originHold = new Promise((resolve) => (release = resolve));
    const hitsBefore = originHits;
    const fetchesBefore = counts().originFetches;
    const pending = [playlist(a.token), playlist(b.token), playlist(a.token)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    originHold = null;
    const answers = await Promise.all(pending);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(originHits - hitsBefore).toBe(1);
    expect(counts().originFetches - fetchesBefore).toBe(1);
    const ticketOf = (text: string) => /\?ticket=(k\S+?)"/.exec(text)![1];
    expect(ticketOf(answers[0].body)).toMatch(new RegExp(`^k${a.id}\\.`));
    expect(ticketOf(answers[1].body)).toMatch(new RegExp(`^k${b.id}\\.`));
  });

  it('reuses the origin playlist for half its target duration, then reads it again', async () => {
    const { token } = await viewer('hls-reuse');
    t.clock.advance(60_000);
    expect((await playlist(token)).status).toBe(200);
    const fetches = counts().originFetches;
    t.clock.advance(2_900);
    expect((await playlist(token)).status).toBe(200);
    expect(counts().originFetches).toBe(fetches);
    t.clock.advance(200);
    expect((await playlist(token)).status).toBe(200);
    expect(counts().originFetches).toBe(fetches + 1);
  });

  it('refuses a viewer whose account was disabled at the next reload, without asking the origin', async () => {
    const v = await viewer('hls-disabled');
    expect((await playlist(v.token)).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${v.id}`, { enabled: false });
    const fetches = counts().originFetches;
    const refused = await playlist(v.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('disabled');
    expect(counts().originFetches).toBe(fetches);
  });

  it('reads the new origin at once when the channel changes', async () => {
    const { token } = await viewer('hls-origin-change');
    t.clock.advance(60_000);
    expect((await playlist(token)).body).toContain('seg-a.ts');
    originVersion = 'b';
    try {
      await t.admin.patch('/api/admin/channels/cached', { hlsOrigin: `${originBase}/other/` });
      const changed = await playlist(token);
      expect(changed.status).toBe(200);
      expect(changed.body).toContain('seg-b.ts');
    } finally {
      originVersion = 'a';
    }
  });
});
