import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpAnswer, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';
import { authBody } from '../devices/device-helpers';

/**
 * The account token is the device HMAC key and the viewer's long-lived secret: the CAS accepts it
 * when the viewer presents it, and never writes it into a URL. Scheme `token` writes a stream
 * ticket instead — one account, one channel, one address, until `signedUrlTtlSeconds`.
 */

let t: TestCas;
let origin: Server;
let originUrl: string;
let viewer: any;
const TTL_SECONDS = 600;

/** Every URL the answer holds must be free of the account token: body and every header. */
function expectNoToken(answer: HttpAnswer, token: string): void {
  expect(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)).not.toContain(token);
  for (const [name, value] of answer.headers) expect(value, name).not.toContain(token);
}

function ticketOf(url: string): string {
  return new URL(url, 'http://x').searchParams.get('ticket')!;
}

async function streamTicket(channel: string): Promise<string> {
  const playlist = (await t.client.get(`/playlist.m3u8?token=${viewer.token}`)).body as string;
  const line = playlist.split('\n').find((l) => l.includes(`/tv/${channel}/`))!;
  return ticketOf(line);
}

function nginx(uri: string, ip = '127.0.0.1') {
  return t.client.get('/auth/nginx', { 'x-original-uri': uri, 'x-real-ip': ip, 'user-agent': `player-${uri.length}-${ip}` });
}

beforeAll(async () => {
  origin = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
    res.end(`#EXTM3U\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\nhttp://third-party.example/ad.ts\n`);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}/live/news/`;
  t = await startTestCas();
  await patchSettings(t, { defaultStreamBaseUrl: 'http://edge.example:8000', sharingMaxAddresses: 0, signedUrlTtlSeconds: TTL_SECONDS });
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'], hlsOrigin: originUrl, logo: '/logos/news.png' });
  await createChannel(t, { id: 'sport', name: 'Sport', number: 2, packages: ['basic'] });
  viewer = await createViewer(t, { packages: ['basic'], password: 'ticket-test-password', maxConnections: 0 });
});

afterAll(async () => {
  await t?.dispose();
  origin?.closeAllConnections();
  await new Promise((resolve) => origin?.close(resolve));
});

describe('no URL the CAS writes carries the account token', () => {
  it('playlist.m3u8 signed in with the token', async () => {
    const answer = await t.client.get(`/playlist.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(new RegExp(`^http://edge\\.example:8000/tv/news/index\\.m3u8\\?ticket=s${viewer.id}\\.\\d+\\.[A-Za-z0-9_-]{22}$`, 'm'));
    expectNoToken(answer, viewer.token);
  });

  it('playlist.m3u8 signed in with login:password', async () => {
    const answer = await t.client.get(`/playlist.m3u8?auth=${viewer.username}:ticket-test-password`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`/tv/sport/index.m3u8?ticket=s${viewer.id}.`);
    expectNoToken(answer, viewer.token);
  });

  it('device stream info', async () => {
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, viewer, 'TICKET-STB'));
    expect(signIn.status).toBe(200);
    expectNoToken(signIn, viewer.token);
    const info = await t.client.withToken(signIn.body.session.token).get('/api/v1/client/stream-info');
    expect(info.status).toBe(200);
    expect(info.body.channels.map((c: any) => c.streamUrl)).toEqual([
      expect.stringMatching(new RegExp(`/tv/news/index\\.m3u8\\?ticket=s${viewer.id}\\.`)),
      expect.stringMatching(new RegExp(`/tv/sport/index\\.m3u8\\?ticket=s${viewer.id}\\.`)),
    ]);
    expectNoToken(info, viewer.token);
  });

  it('/hls rewriting: own segments get a ticket, third-party hosts get nothing', async () => {
    const answer = await t.client.get(`/hls/news/index.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    const lines = (answer.body as string).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${originUrl}seg0\\.ts\\?ticket=s${viewer.id}\\.`)));
    expect(lines).toContain('http://third-party.example/ad.ts');
    expectNoToken(answer, viewer.token);
  });
});

describe('a stream ticket is a credential for one channel, one address, until it expires', () => {
  it('lets the viewer in at every auth backend and content route for its channel', async () => {
    const ticket = await streamTicket('news');
    const allowed = await nginx(`/tv/news/index.m3u8?ticket=${ticket}`);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-cas-account')).toBe(viewer.username);
    expect((await astra(t.client, `ticket=${ticket}`, { ip: '127.0.0.1', channel: 'news', session: 'a1' })).status).toBe(200);
    const flussonic = await t.client.get(`/auth/flussonic?name=news&ip=127.0.0.1&session_id=f1&qs=${encodeURIComponent(`ticket=${ticket}`)}`);
    expect(flussonic.status).toBe(200);
    expect(flussonic.headers.get('x-userid')).toBe(String(viewer.id));
    expect((await t.client.get(`/hls/news/index.m3u8?ticket=${ticket}`)).status).toBe(200);
  });

  it('is refused for another channel the same viewer may watch, and from another address', async () => {
    const ticket = await streamTicket('news');
    const otherChannel = await nginx(`/tv/sport/index.m3u8?ticket=${ticket}`);
    expect(otherChannel.status).toBe(401);
    expect(otherChannel.headers.get('x-cas-reason')).toBe('bad_credential');
    expect((await astra(t.client, `ticket=${ticket}`, { ip: '127.0.0.1', channel: 'sport', session: 'a2' })).status).toBe(403);
    expect((await nginx(`/tv/news/index.m3u8?ticket=${ticket}`, '192.0.2.9')).status).toBe(401);
    const sportTicket = await streamTicket('sport');
    expect((await t.client.get(`/hls/news/index.m3u8?ticket=${sportTicket}`)).status).toBe(403);
  });

  it('is refused after it expires', async () => {
    const ticket = await streamTicket('news');
    t.clock.advance(TTL_SECONDS * 1000 - 1000);
    expect((await nginx(`/tv/news/index.m3u8?ticket=${ticket}`)).status).toBe(200);
    t.clock.advance(2000);
    try {
      const expired = await nginx(`/tv/news/index.m3u8?ticket=${ticket}`);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('x-cas-reason')).toBe('bad_credential');
    } finally {
      t.clock.advance(-(TTL_SECONDS * 1000 + 1000));
    }
  });

  it('is no sign-in for the account-wide playlist', async () => {
    const ticket = await streamTicket('news');
    expect((await t.client.get(`/playlist.m3u8?ticket=${ticket}`)).status).toBe(401);
  });
});
