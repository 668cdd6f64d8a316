import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { rewritePlaylist } from '../../src-main/hls/playlist-rewriter';

let t: TestCas;
let origin: string;
let token: string;
let outsiderToken: string;
let period: number;

const MASTER = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",URI="audio/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="aud"
low/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2000000,AUDIO="aud"
http://elsewhere.example/high.m3u8
`;

function media(keyPeriod: number): string {
  return `#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:0
#EXT-X-KEY:METHOD=AES-128,URI="http://packager-side.example:8100/keys/tv1/${keyPeriod}",IV=0x00000000000000000000000000000001
#EXTINF:1.0,
seg0.ts
#EXT-X-KEY:METHOD=AES-128,URI="http://cas.example/keys/tv1/${keyPeriod + 1}"
#EXTINF:1.0,
seg1.ts
#EXT-X-KEY:METHOD=AES-128,URI="https://other-vendor.example/key/7"
#EXTINF:1.0,
seg2.ts
`;
}

function queryOf(uri: string, name: string): string | null {
  return new URL(uri, 'http://x').searchParams.get(name);
}

beforeAll(async () => {
  origin = mkdtempSync(join(tmpdir(), 'cas-origin-'));
  mkdirSync(join(origin, 'low'));
  t = await startTestCas();
  period = Math.floor(t.clock.now() / 600_000);
  writeFileSync(join(origin, 'master.m3u8'), MASTER);
  writeFileSync(join(origin, 'low', 'index.m3u8'), media(period));
  writeFileSync(join(origin, 'low', 'seg0.ts'), Buffer.alloc(188 * 4, 7));
  writeFileSync(join(origin, 'secret.key'), Buffer.alloc(16, 1));
  await t.admin.post('/api/admin/channels', { id: 'tv1', name: 'TV 1', packages: ['basic'], hlsOrigin: origin });
  await t.admin.post('/api/admin/channels', { id: 'tv2', name: 'TV 2', packages: ['basic'], hlsOrigin: origin });
  await t.admin.post('/api/admin/channels', { id: 'bare', name: 'No origin', packages: ['basic'] });
  token = (await t.admin.post('/api/admin/accounts', { username: 'hlsviewer', packages: ['basic'], maxConnections: 0 })).body.token;
  outsiderToken = (await t.admin.post('/api/admin/accounts', { username: 'hlsoutsider', packages: ['premium'], maxConnections: 0 })).body.token;
});
afterAll(async () => {
  await t.dispose();
  rmSync(origin, { recursive: true, force: true });
});

describe('playlist rewriting', () => {
  it('classifies every child URI of master and media playlists', () => {
    const seen: Array<[string, string]> = [];
    const out = rewritePlaylist(`${MASTER}\n${media(5)}#EXT-X-MAP:URI="init.mp4"\n`, (uri, kind) => {
      seen.push([uri, kind]);
      return `<${uri}>`;
    });
    expect(seen).toEqual([
      ['audio/en.m3u8', 'playlist'],
      ['low/index.m3u8', 'playlist'],
      ['http://elsewhere.example/high.m3u8', 'playlist'],
      ['http://packager-side.example:8100/keys/tv1/5', 'key'],
      ['seg0.ts', 'segment'],
      ['http://cas.example/keys/tv1/6', 'key'],
      ['seg1.ts', 'segment'],
      ['https://other-vendor.example/key/7', 'key'],
      ['seg2.ts', 'segment'],
      ['init.mp4', 'segment'],
    ]);
    expect(out).toContain('#EXT-X-KEY:METHOD=AES-128,URI="<http://packager-side.example:8100/keys/tv1/5>",IV=0x00000000000000000000000000000001');
  });
});

describe('/hls/<channel>/<path>.m3u8', () => {
  it('rewrites a master playlist: variants inside the origin get a playlist ticket, others stay', async () => {
    const answer = await t.client.get(`/hls/tv1/master.m3u8?token=${encodeURIComponent(token)}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const text: string = answer.body;
    expect(text).toMatch(/^\/hls\/tv1\/low\/index\.m3u8\?ticket=p\d+\.\d+\.[A-Za-z0-9_-]{22}$/m);
    expect(text).toContain('URI="/hls/tv1/audio/en.m3u8?ticket=p');
    expect(text).toContain('\nhttp://elsewhere.example/high.m3u8\n');
    expect(text).not.toContain(token);
  });

  it('rewrites a media playlist: CAS keys and segments get a key ticket, foreign keys stay', async () => {
    const master = (await t.client.get(`/hls/tv1/master.m3u8?token=${encodeURIComponent(token)}`)).body as string;
    const variant = /^\/hls\/tv1\/low\/index\.m3u8\?ticket=\S+$/m.exec(master)![0];
    // The variant URL alone (no token) is enough: the player may have dropped everything else.
    const answer = await t.client.get(variant);
    expect(answer.status).toBe(200);
    const text: string = answer.body;
    expect(answer.headers.get('set-cookie')).toMatch(/^cas_ticket=k\d+\.\d+\.[A-Za-z0-9_-]{22}; path=\/keys\/tv1\/; .*httponly/i);
    const keyUris = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
    expect(keyUris[0]).toMatch(new RegExp(`^/keys/tv1/${period}\\?ticket=k`));
    expect(keyUris[1]).toMatch(new RegExp(`^/keys/tv1/${period + 1}\\?ticket=k`));
    expect(keyUris[2]).toBe('https://other-vendor.example/key/7');
    expect(text).toMatch(/^\/hls\/tv1\/low\/seg0\.ts\?ticket=k/m);

    // Every rewritten URI works on its own, without the viewer's token.
    const key = await fetch(`${t.cas.apiUrl}${keyUris[0]}`);
    expect(key.status).toBe(200);
    expect(Buffer.from(await key.arrayBuffer())).toHaveLength(16);
    const segmentPath = /^\/hls\/tv1\/low\/seg0\.ts\?\S+$/m.exec(text)![0];
    const segment = await fetch(`${t.cas.apiUrl}${segmentPath}`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect(Buffer.from(await segment.arrayBuffer())).toEqual(Buffer.alloc(188 * 4, 7));
    // The cookie alone also opens the key.
    const cookie = answer.headers.get('set-cookie')!.split(';')[0];
    expect((await fetch(`${t.cas.apiUrl}/keys/tv1/${period}`, { headers: { cookie } })).status).toBe(200);
  });

  it("gives the keys of another channel of this CAS (a shared key) a ticket for that channel, which /keys still decides", async () => {
    const shared = (await t.client.get(`/hls/tv2/low/index.m3u8?token=${encodeURIComponent(token)}`)).body as string;
    const keyUris = [...shared.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]);
    expect(keyUris[0]).toMatch(new RegExp(`^/keys/tv1/${period}\\?ticket=k`));
    expect(keyUris[2]).toBe('https://other-vendor.example/key/7');
    expect((await fetch(`${t.cas.apiUrl}${keyUris[0]}`)).status).toBe(200);
    // A viewer of the sharing channel only gets a ticket, not the key: it is not entitled to tv1.
    await t.admin.post('/api/admin/packages', { id: 'sharing-only', name: 'Sharing only' });
    await t.admin.post('/api/admin/channels', { id: 'tv4', name: 'TV 4', packages: ['sharing-only'], hlsOrigin: origin });
    const other = (await t.admin.post('/api/admin/accounts', { username: 'tv4viewer', packages: ['sharing-only'], maxConnections: 0 })).body.token;
    const forOther = (await t.client.get(`/hls/tv4/low/index.m3u8?token=${encodeURIComponent(other)}`)).body as string;
    const otherKey = /URI="(\/keys\/tv1\/[^"]+)"/.exec(forOther)![1];
    const refused = await fetch(`${t.cas.apiUrl}${otherKey}`);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { reason: string } }).error.reason).toBe('not_entitled');
  });

  it('refuses a tampered, foreign-channel or wrong-scope ticket, and an expired one', async () => {
    const text = (await t.client.get(`/hls/tv1/low/index.m3u8?token=${encodeURIComponent(token)}`)).body as string;
    const ticket = queryOf(/URI="(\/keys\/tv1\/[^"]+)"/.exec(text)![1], 'ticket')!;
    const ok = await fetch(`${t.cas.apiUrl}/keys/tv1/${period}?ticket=${ticket}`);
    expect(ok.status).toBe(200);
    const tampered = ticket.replace(/^k(\d+)/, (_m, id: string) => `k${Number(id) + 1}`);
    expect((await fetch(`${t.cas.apiUrl}/keys/tv1/${period}?ticket=${tampered}`)).status).toBe(403);
    expect((await fetch(`${t.cas.apiUrl}/keys/tv2/${period}?ticket=${ticket}`)).status).toBe(403);
    expect((await fetch(`${t.cas.apiUrl}/hls/tv1/low/index.m3u8?ticket=${ticket}`)).status).toBe(403);
    t.clock.advance(301_000);
    const expired = await t.client.get(`/keys/tv1/${period}?ticket=${ticket}`);
    expect(expired.status).toBe(403);
    expect(expired.body.error.reason).toBe('bad_credential');
    t.clock.advance(-301_000);
  });

  it('re-checks entitlement at every playlist reload, even with a valid playlist ticket', async () => {
    const created = await t.admin.post('/api/admin/accounts', { username: 'soonrevoked', packages: ['basic'], maxConnections: 0 });
    const master = (await t.client.get(`/hls/tv1/master.m3u8?token=${encodeURIComponent(created.body.token)}`)).body as string;
    const variant = /^\/hls\/tv1\/low\/index\.m3u8\?ticket=\S+$/m.exec(master)![0];
    expect((await t.client.get(variant)).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${created.body.id}`, { enabled: false });
    const refused = await t.client.get(variant);
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('disabled');
  });

  it('renews every ticket at each live playlist reload, so an entitled viewer is never cut off', async () => {
    const url = `/hls/tv1/low/index.m3u8?token=${encodeURIComponent(token)}`;
    const expiryOf = (text: string) => Number(/URI="\/keys\/tv1\/\d+\?ticket=k\d+\.(\d+)\./.exec(text)![1]);
    const first = expiryOf((await t.client.get(url)).body as string);
    expect(first * 1000).toBeGreaterThan(t.clock.now());
    t.clock.advance(250_000);
    const second = expiryOf((await t.client.get(url)).body as string);
    expect(second - first).toBe(250);
    t.clock.advance(-250_000);
  });

  it('keeps tickets of the previous secret valid for the grace period after the secret is rotated', async () => {
    const master = (await t.client.get(`/hls/tv1/master.m3u8?token=${encodeURIComponent(token)}`)).body as string;
    const variant = /^\/hls\/tv1\/low\/index\.m3u8\?ticket=\S+$/m.exec(master)![0];
    const patched = await t.admin.patch('/api/admin/settings', { hlsTicketSecret: 'a-brand-new-ticket-secret-0123456789' });
    expect(patched.status).toBe(200);
    expect(patched.body.secrets.hlsTicketSecret.set).toBe(true);
    expect(JSON.stringify(patched.body)).not.toContain('a-brand-new-ticket-secret');
    expect((await t.client.get(variant)).status).toBe(200);
    t.clock.advance(181 * 60_000);
    expect((await t.client.get(variant)).status).toBe(403);
    t.clock.advance(-181 * 60_000);
  });

  it('answers 403 to a viewer without the channel, 404 for unknown channels and files, 409 without an origin', async () => {
    expect((await t.client.get(`/hls/tv1/master.m3u8?token=${encodeURIComponent(outsiderToken)}`)).status).toBe(403);
    expect((await t.client.get('/hls/tv1/master.m3u8')).status).toBe(403);
    expect((await t.client.get(`/hls/ghost/master.m3u8?token=${encodeURIComponent(token)}`)).status).toBe(404);
    expect((await t.client.get(`/hls/tv1/missing.m3u8?token=${encodeURIComponent(token)}`)).status).toBe(404);
    const bare = await t.client.get(`/hls/bare/index.m3u8?token=${encodeURIComponent(token)}`);
    expect(bare.status).toBe(409);
    expect(bare.body.error.field).toBe('hlsOrigin');
  });

  it('never serves anything but media from a folder origin, nor leaves it', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await t.client.get('/hls/tv1/secret.key', auth)).status).toBe(404);
    expect((await t.client.get('/hls/tv1/..%2F..%2Fetc%2Fpasswd.ts', auth)).status).toBe(400);
    expect((await t.client.get('/hls/tv1/low/seg0.ts', auth)).status).toBe(200);
  });
});
