import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';

const SECURETOKEN = 'astra-securetoken-secret-1';
const SECURE_LINK = 'nginx-secure-link-secret-1';

let t: TestCas;
let viewer: any;

/** Astra's PHP recipe, transcribed independently of the product code. */
function phpSecuretoken(channelId: string, clientIp: string, starttime: number, endtime: number, securetoken: string, salt: string): string {
  const hash = createHash('sha1').update(channelId + clientIp + String(starttime) + String(endtime) + securetoken + salt).digest('hex');
  return `${hash}-${salt}-${endtime}-${starttime}`;
}

function nowSeconds(): number {
  return Math.floor(t.clock.now() / 1000);
}

beforeAll(async () => {
  t = await startTestCas();
  await patchSettings(t, { securetokenSecret: SECURETOKEN, secureLinkSecret: SECURE_LINK, sharingMaxAddresses: 0, defaultStreamBaseUrl: 'http://tv.example:8000' });
  await createChannel(t, { id: 'travel-channel', name: 'Travel', number: 1, packages: ['basic'], streamPath: '/tv/travel-channel/index.m3u8', urlSigning: 'astra-id' });
  await createChannel(t, { id: 'news', name: 'News', number: 2, packages: ['basic'], urlSigning: 'astra-path' });
  await createChannel(t, { id: 'sport', name: 'Sport', number: 3, packages: ['basic'], urlSigning: 'flussonic' });
  await createChannel(t, { id: 'music', name: 'Music', number: 4, packages: ['basic'], urlSigning: 'nginx-secure-link', streamBaseUrl: 'http://edge.example' });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
});
afterAll(async () => {
  await t.dispose();
});

async function streamUrl(channel: string, ip: string): Promise<URL> {
  const answer = await t.admin.get(`/api/admin/access/stream-url?channel=${channel}&account=${viewer.id}&ip=${encodeURIComponent(ip)}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return new URL(answer.body.url);
}

describe('Astra securetoken', () => {
  it("signs exactly as the manual's PHP recipe computes it (channel id, start backdated by the skew allowance)", async () => {
    const url = await streamUrl('travel-channel', '192.168.88.98');
    expect(`${url.origin}${url.pathname}`).toBe('http://tv.example:8000/tv/travel-channel/index.m3u8');
    const token = url.searchParams.get('token')!;
    const [, salt, end, start] = token.split('-') as [string, string, string, string];
    expect(Number(start)).toBe(nowSeconds() - 300);
    expect(Number(end)).toBe(nowSeconds() + 10_800);
    expect(token).toBe(phpSecuretoken('travel-channel', '192.168.88.98', Number(start), Number(end), SECURETOKEN, salt));
  });

  it('hashes the channel path for channels configured with astra-path', async () => {
    const url = await streamUrl('news', '192.168.88.98');
    const token = url.searchParams.get('token')!;
    const [, salt, end, start] = token.split('-') as [string, string, string, string];
    expect(token).toBe(phpSecuretoken('/tv/news/index.m3u8', '192.168.88.98', Number(start), Number(end), SECURETOKEN, salt));
  });

  it('accepts a token made by the PHP recipe and refuses a changed IP, channel, expiry or secret', async () => {
    const start = nowSeconds() - 60;
    const end = start + 3600;
    const good = phpSecuretoken('travel-channel', '192.168.88.98', start, end, SECURETOKEN, 'a5cd6c00');
    const ok = await astra(t.client, `token=${good}`, { ip: '192.168.88.98', channel: 'travel-channel' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-cas-reason')).toBe('signed_url');
    expect((await astra(t.client, `token=${good}`, { ip: '192.168.88.99', channel: 'travel-channel' })).headers.get('x-cas-reason')).toBe('bad_credential');
    expect((await astra(t.client, `token=${good}`, { ip: '192.168.88.98', channel: 'news' })).headers.get('x-cas-reason')).toBe('bad_credential');
    const extended = good.replace(`-${end}-`, `-${end + 3600}-`);
    expect((await astra(t.client, `token=${extended}`, { ip: '192.168.88.98', channel: 'travel-channel' })).status).toBe(403);
    const otherSecret = phpSecuretoken('travel-channel', '192.168.88.98', start, end, 'not-the-secret-at-all', 'a5cd6c00');
    expect((await astra(t.client, `token=${otherSecret}`, { ip: '192.168.88.98', channel: 'travel-channel' })).status).toBe(403);
    t.clock.advance(3601_000);
    expect((await astra(t.client, `token=${good}`, { ip: '192.168.88.98', channel: 'travel-channel' })).status).toBe(403);
  });

  it('keeps accepting the previous secret during the grace period after a rotation, then refuses it', async () => {
    const start = nowSeconds();
    const old = phpSecuretoken('travel-channel', '10.1.1.1', start, start + 7200, SECURETOKEN, 'deadbeef');
    await patchSettings(t, { securetokenSecret: 'astra-securetoken-secret-2', signingSecretGraceMinutes: 30 });
    expect((await astra(t.client, `token=${old}`, { ip: '10.1.1.1', channel: 'travel-channel' })).status).toBe(200);
    const fresh = (await streamUrl('travel-channel', '10.1.1.1')).searchParams.get('token')!;
    const [, salt, end, s] = fresh.split('-') as [string, string, string, string];
    expect(fresh).toBe(phpSecuretoken('travel-channel', '10.1.1.1', Number(s), Number(end), 'astra-securetoken-secret-2', salt));
    t.clock.advance(31 * 60_000);
    expect((await astra(t.client, `token=${old}`, { ip: '10.1.1.1', channel: 'travel-channel' })).status).toBe(403);
    expect((await astra(t.client, `token=${fresh}`, { ip: '10.1.1.1', channel: 'travel-channel' })).status).toBe(200);
  });
});

describe('Flussonic securetoken', () => {
  it('signs sha1(name + ip + start + end + secret + salt + user_id) and the Flussonic backend accepts it as that account', async () => {
    const url = await streamUrl('sport', '172.16.0.5');
    const token = url.searchParams.get('token')!;
    expect(url.searchParams.get('user_id')).toBe(String(viewer.id));
    const [hash, salt, end, start] = token.split('-') as [string, string, string, string];
    const secret = t.cas.ctx.settings.secret('securetokenSecret')!.current;
    expect(hash).toBe(createHash('sha1').update(`sport172.16.0.5${start}${end}${secret}${salt}${viewer.id}`).digest('hex'));
    const answer = await t.client.get(
      `/auth/flussonic?name=sport&ip=172.16.0.5&token=${token}&session_id=f1&request_type=new_session&qs=${encodeURIComponent(`token=${token}&user_id=${viewer.id}`)}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-userid')).toBe(String(viewer.id));
    const wrongUser = await t.client.get(`/auth/flussonic?name=sport&ip=172.16.0.5&token=${token}&qs=${encodeURIComponent(`user_id=${viewer.id + 1}`)}`);
    expect(wrongUser.status).toBe(403);
  });
});

describe('nginx secure_link', () => {
  it('signs md5 = base64url(md5("$expires$uri$remote_addr secret")) with expiry, on the channel base URL', async () => {
    const url = await streamUrl('music', '192.0.2.44');
    expect(url.origin).toBe('http://edge.example');
    const expires = Number(url.searchParams.get('expires'));
    expect(expires).toBe(nowSeconds() + 10_800);
    const expected = createHash('md5')
      .update(`${expires}/tv/music/index.m3u8192.0.2.44 ${SECURE_LINK}`)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(url.searchParams.get('md5')).toBe(expected);
  });

  it('verifies its own links, refusing a changed path, address, expiry or secret', () => {
    const signer = t.cas.services.urlSigner;
    const query = new URLSearchParams(signer.secureLinkQuery('/hls/music/seg-001.ts', '192.0.2.44'));
    const md5 = query.get('md5')!;
    const expires = Number(query.get('expires'));
    expect(signer.verifySecureLink('/hls/music/seg-001.ts', '192.0.2.44', md5, expires)).toBe('valid');
    expect(signer.verifySecureLink('/hls/music/seg-002.ts', '192.0.2.44', md5, expires)).toBe('invalid');
    expect(signer.verifySecureLink('/hls/music/seg-001.ts', '192.0.2.45', md5, expires)).toBe('invalid');
    expect(signer.verifySecureLink('/hls/music/seg-001.ts', '192.0.2.44', md5, expires + 1)).toBe('invalid');
    const past = new URLSearchParams(signer.secureLinkQuery('/hls/music/seg-001.ts', '192.0.2.44', nowSeconds() - 1));
    expect(signer.verifySecureLink('/hls/music/seg-001.ts', '192.0.2.44', past.get('md5')!, Number(past.get('expires')))).toBe('expired');
  });

  it('asks for the secret by name when it is not set', async () => {
    const fresh = await startTestCas();
    try {
      await createChannel(fresh, { id: 'music', name: 'Music', packages: ['basic'], urlSigning: 'nginx-secure-link', streamBaseUrl: 'http://edge.example' });
      const account = await createViewer(fresh, { packages: ['basic'] });
      const answer = await fresh.admin.get(`/api/admin/access/stream-url?channel=music&account=${account.id}&ip=192.0.2.1`);
      expect(answer.status).toBe(409);
      expect(answer.body.error.field).toBe('secureLinkSecret');
    } finally {
      await fresh.dispose();
    }
  });
});
