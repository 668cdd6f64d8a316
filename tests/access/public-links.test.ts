import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from './access-helpers';
import { authBody, makeSubscriber } from '../devices/device-helpers';
import { lanAddresses } from '../../src-main/kernel/public-base-url';

const PUBLIC = 'http://tv-cas.example:8100';
const EVIL_HOST = 'evil.example:6666';

let t: TestCas;
let viewer: any;
let packagerKey: string;

/** GET on the client listener with a Host header of the caller's choosing (fetch would not send one). */
function getWithHost(path: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, t.cas.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers: { ...headers, host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every absolute URL the CAS hands out for `viewer` (playlist logos and streams, stream info, packager key URIs), asked with a forged Host header. */
async function handedOutUrls(): Promise<string[]> {
  const playlist = await getWithHost(`/playlist.m3u8?token=${viewer.token}`, EVIL_HOST);
  expect(playlist.status).toBe(200);
  const fromPlaylist = [...playlist.body.matchAll(/tvg-logo="([^"]+)"/g)].map((m) => m[1]).concat(playlist.body.split('\n').filter((l) => l.startsWith('http')));
  const subscriber = await makeSubscriber(t, { packages: ['links-basic'] });
  const signIn = await t.client.post('/api/v1/client/auth', authBody(t, subscriber, 'LINKS-1'));
  expect(signIn.status).toBe(200);
  const info = JSON.parse((await getWithHost('/api/v1/client/stream-info', EVIL_HOST, { authorization: `Bearer ${signIn.body.session.token}` })).body);
  const fromInfo = [info.emmUrl, ...info.channels.flatMap((c: any) => [c.logo, c.keyUrl, c.ecmUrl])];
  const keyinfo = JSON.parse((await getWithHost('/api/v1/packager/links-logo/keyinfo', EVIL_HOST, { authorization: `Bearer ${packagerKey}` })).body);
  return [...fromPlaylist, ...fromInfo, keyinfo.current.keyUri, keyinfo.next.keyUri];
}

beforeAll(async () => {
  t = await startTestCas();
  await patchSettings(t, { sharingMaxAddresses: 0 });
  await t.admin.post('/api/admin/packages', { id: 'links-basic', name: 'Basic' });
  await createChannel(t, { id: 'links-logo', name: 'Logo TV', number: 1, packages: ['links-basic'], logo: '/logos/links-logo' });
  viewer = await createViewer(t, { packages: ['links-basic'] });
  packagerKey = (await t.admin.post('/api/admin/api-keys', { name: 'encoder', scopes: ['packager'] })).body.key;
});
afterAll(async () => {
  await t?.dispose();
});

describe('the publicBaseUrl setting', () => {
  it.each([
    ['http://tv.example:8100/cas', 'nothing after the port'],
    ['http://tv.example:8100/?x=1', 'nothing after the port'],
    ['http://user:pw@tv.example:8100', 'No user name'],
    ['ftp://tv.example', 'http://'],
    ['http://0.0.0.0:8100', '0.0.0.0'],
    ['http://[::]:8100', '0.0.0.0'],
  ])('refuses %s naming the field', async (value, reason) => {
    const answer = await t.admin.patch('/api/admin/settings', { publicBaseUrl: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('publicBaseUrl');
    expect(answer.body.error.message).toContain(reason);
  });

  it('refuses a loopback host unless loopback links are allowed on purpose', async () => {
    for (const value of ['http://127.0.0.1:8100', 'http://localhost:8100', 'http://[::1]:8100', 'http://127.1.2.3']) {
      const answer = await t.admin.patch('/api/admin/settings', { publicBaseUrl: value });
      expect(answer.status, value).toBe(400);
      expect(answer.body.error.field).toBe('publicBaseUrl');
      expect(answer.body.error.message).toContain('loopback');
    }
    const allowed = await t.admin.patch('/api/admin/settings', { publicBaseUrl: 'http://127.0.0.1:8100', publicBaseUrlAllowLoopback: true });
    expect(allowed.status).toBe(200);
    expect((await t.admin.patch('/api/admin/settings', { publicBaseUrlAllowLoopback: false })).status).toBe(400);
    await patchSettings(t, { publicBaseUrl: null, publicBaseUrlAllowLoopback: false });
  });

  it('keeps only the origin of the address', async () => {
    await patchSettings(t, { publicBaseUrl: 'HTTP://TV-CAS.example:8100/' });
    expect((await t.admin.get('/api/admin/settings')).body.publicBaseUrl).toBe(PUBLIC);
    await patchSettings(t, { publicBaseUrl: null });
  });
});

describe('links handed to devices', () => {
  it('all start with the public base URL, whatever Host header the device sends', async () => {
    await patchSettings(t, { publicBaseUrl: PUBLIC });
    const urls = await handedOutUrls();
    expect(urls.length).toBeGreaterThanOrEqual(8);
    for (const url of urls) expect(url.startsWith(`${PUBLIC}/`) || url.startsWith('http://tv-cas.example:8000/'), url).toBe(true);
    // The stream base of last resort is Astra's port on the public host, not on the caller's Host.
    expect(urls.some((u) => u.startsWith('http://tv-cas.example:8000/tv/links-logo/'))).toBe(true);
    await patchSettings(t, { publicBaseUrl: null });
  });

  it('without the setting use the client listener address, never the Host header, and the API says so', async () => {
    const urls = await handedOutUrls();
    for (const url of urls) expect(url, url).not.toContain('evil.example');
    expect(urls.filter((u) => u.includes('/logos/') || u.includes('/keys/')).every((u) => u.startsWith(`${t.cas.apiUrl}/`))).toBe(true);
    const links = await t.admin.get('/api/admin/links');
    expect(links.status).toBe(200);
    // The test listener binds 127.0.0.1: only this machine can follow the links, and the API says so.
    expect(links.body.publicBaseUrl).toMatchObject({ configured: null, effective: t.cas.apiUrl, source: 'loopback', suggestions: [] });
  });

  it('on a listener bound to every interface use and suggest the LAN addresses of this machine', async () => {
    const wide = await startTestCas({ apiHost: '0.0.0.0' });
    try {
      const { publicBaseUrl } = (await wide.admin.get('/api/admin/links')).body;
      const port = new URL(wide.cas.apiUrl).port;
      const lan = lanAddresses();
      if (lan.length === 0) {
        expect(publicBaseUrl.source).toBe('loopback');
        return;
      }
      const host = (a: string) => (a.includes(':') ? `[${a}]` : a);
      expect(publicBaseUrl.source).toBe('lan-address');
      expect(publicBaseUrl.effective).toBe(`http://${host(lan[0].address)}:${port}`);
      expect(publicBaseUrl.suggestions.map((s: any) => s.url)).toEqual(lan.map((a) => `http://${host(a.address)}:${port}`));
      for (const s of publicBaseUrl.suggestions) expect(s.url).not.toMatch(/127\.0\.0\.1|0\.0\.0\.0|\[::1?\]/);
    } finally {
      await wide.dispose();
    }
  });
});

describe('channels whose signing secret is not set', () => {
  it('save with a signing_secret_missing warning, show it in the list and the links health, and lose it once the secret is set', async () => {
    const created = await t.admin.post('/api/admin/channels', { id: 'links-nginx', name: 'Nginx TV', packages: ['links-basic'], urlSigning: 'nginx-secure-link' });
    expect(created.status).toBe(201);
    expect(created.body.warnings).toEqual([{ code: 'signing_secret_missing', params: { scheme: 'nginx-secure-link', setting: 'secureLinkSecret' } }]);
    const changed = await t.admin.patch('/api/admin/channels/links-logo', { urlSigning: 'flussonic' });
    expect(changed.status).toBe(200);
    expect(changed.body.warnings).toEqual([{ code: 'signing_secret_missing', params: { scheme: 'flussonic', setting: 'securetokenSecret' } }]);
    const list = (await t.admin.get('/api/admin/channels')).body.items;
    expect(Object.fromEntries(list.map((c: any) => [c.id, c.warnings.length]))).toEqual({ 'links-logo': 1, 'links-nginx': 1 });
    const broken = (await t.admin.get('/api/admin/links')).body.brokenChannels;
    expect(broken.map((c: any) => [c.id, c.packages, c.warnings[0].params.setting])).toEqual([
      ['links-logo', ['links-basic'], 'securetokenSecret'],
      ['links-nginx', ['links-basic'], 'secureLinkSecret'],
    ]);

    await patchSettings(t, { secureLinkSecret: 'a-secure-link-secret-for-tests' });
    expect((await t.admin.get('/api/admin/channels/links-nginx')).body.warnings).toEqual([]);
    expect((await t.admin.get('/api/admin/links')).body.brokenChannels.map((c: any) => c.id)).toEqual(['links-logo']);
    const back = await t.admin.patch('/api/admin/channels/links-logo', { urlSigning: 'token' });
    expect(back.body.warnings).toEqual([]);
  });
});
