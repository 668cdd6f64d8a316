import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';
import { MpdRejectedError, rewriteMpd } from '../../src-main/dash/mpd-rewriter';

const CENC_NS = 'urn:mpeg:cenc:2013';
const DASHIF_NS = 'https://dashif.org/CPS';
const CLEARKEY = 'urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e';

let t: TestCas;
let origin: string;
let edge: Server;
let edgeBase: string;
let packager: HttpClient;
let viewer: { id: number; token: string };
let outsider: { id: number; token: string };

function mpd(periods: string[]): string {
  const body = periods
    .map(
      (id) => `<Period id="${id}" start="PT0S">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
      <ContentProtection schemeIdUri="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"/>
      <Representation id="0" codecs="avc1.64000d" bandwidth="100000" width="320" height="240">
        <SegmentTemplate timescale="12800" initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
          <SegmentTimeline><S t="0" d="25600" r="1"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4">
      <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="1"/>
      <Representation id="1" codecs="mp4a.40.2" bandwidth="64000"><BaseURL>http://elsewhere.example/a.mp4</BaseURL><SegmentBase indexRange="0-99"/></Representation>
    </AdaptationSet>
  </Period>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S">
  <Location>http://origin.example/live/manifest.mpd</Location>
  ${body}
</MPD>`;
}

function parse(xml: string): Element {
  return new DOMParser().parseFromString(xml, 'application/xml').documentElement!;
}

function all(root: Element, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS('*', localName));
}

function hexToUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A JSON answer body, typed loosely for assertions. */
async function json(response: Response): Promise<any> {
  return response.json();
}

const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

/** POSTs a license request as Shaka does: no Content-Type. */
function license(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.cas.apiUrl}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
}

async function manifest(channel = 'tv', credential = viewer.token): Promise<{ xml: string; root: Element; licensePath: string }> {
  const answer = await t.client.get(`/dash/${channel}/manifest.mpd?token=${encodeURIComponent(credential)}`);
  expect(answer.status).toBe(200);
  const root = parse(answer.body as string);
  const laurl = all(root, 'Laurl')[0].textContent!;
  return { xml: answer.body as string, root, licensePath: new URL(laurl).pathname + new URL(laurl).search };
}

beforeAll(async () => {
  origin = mkdtempSync(join(tmpdir(), 'cas-dash-origin-'));
  writeFileSync(join(origin, 'manifest.mpd'), mpd(['0']));
  writeFileSync(join(origin, 'init-stream0.m4s'), Buffer.alloc(64, 3));
  writeFileSync(join(origin, 'notxml.mpd'), 'this is not xml <');
  edge = createServer((req, res) => {
    res.setHeader('content-type', 'application/dash+xml');
    const text = mpd(['0']);
    // A manifest whose BaseURL climbs out of the channel's origin (into another folder of the edge).
    res.end(req.url?.endsWith('/escape.mpd') ? text.replace('<Period id="0" start="PT0S">', '<Period id="0" start="PT0S"><BaseURL>../other/</BaseURL>') : text);
  });
  await new Promise<void>((resolve) => edge.listen(0, '127.0.0.1', resolve));
  edgeBase = `http://127.0.0.1:${(edge.address() as AddressInfo).port}/live/edgetv/`;
  t = await startTestCas();
  await t.admin.post('/api/admin/channels', { id: 'tv', name: 'TV', packages: ['basic'], hlsOrigin: origin });
  await t.admin.post('/api/admin/channels', { id: 'tv2', name: 'TV 2', packages: ['basic'], hlsOrigin: origin });
  await t.admin.post('/api/admin/channels', { id: 'edgetv', name: 'Edge TV', packages: ['basic'], hlsOrigin: edgeBase, urlSigning: 'token' });
  viewer = (await t.admin.post('/api/admin/accounts', { username: 'dashviewer', packages: ['basic'], maxConnections: 0 })).body;
  outsider = (await t.admin.post('/api/admin/accounts', { username: 'dashoutsider', packages: ['premium'], maxConnections: 0 })).body;
  packager = t.client.withToken((await t.admin.post('/api/admin/api-keys', { name: 'dash encoder', scopes: ['packager'] })).body.key);
});
afterAll(async () => {
  await t.dispose();
  edge.close();
  rmSync(origin, { recursive: true, force: true });
});

describe('GET /api/v1/packager/<channel>/cenc', () => {
  it('gives the current and next CENC key (KID and key in hex), named after the control word', async () => {
    const answer = await packager.get('/api/v1/packager/tv/cenc');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const { current, next, cryptoPeriodSeconds } = answer.body;
    expect(cryptoPeriodSeconds).toBe(600);
    for (const key of [current, next]) {
      expect(key.kid).toMatch(/^[0-9a-f]{32}$/);
      expect(key.key).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(next.kid).not.toBe(current.kid);
    expect(next.key).not.toBe(current.key);
    const keyinfo = (await packager.get('/api/v1/packager/tv/keyinfo')).body;
    expect(current.keyId).toBe(keyinfo.current.keyId);
    expect(next.keyId).toBe(keyinfo.next.keyId);
    // Never the HLS control word: CBC and CTR must not share a key.
    expect(current.key).not.toBe(keyinfo.current.key);
    expect((await packager.get('/api/v1/packager/tv/cenc')).body.current).toEqual(current);
  });

  it('keeps CENC keys sealed under the master key', () => {
    const { db } = t.cas.ctx;
    const rows = db.prepare('SELECT kid, key_sealed FROM cenc_keys').all() as Array<{ kid: Buffer; key_sealed: Buffer }>;
    expect(rows.length).toBeGreaterThan(0);
    return packager.get('/api/v1/packager/tv/cenc').then(({ body }) => {
      const row = rows.find((r) => r.kid.toString('hex') === body.current.kid)!;
      expect(row.key_sealed.includes(Buffer.from(body.current.key, 'hex'))).toBe(false);
    });
  });

  it('refuses callers without a packager key for the channel', async () => {
    expect((await t.client.get('/api/v1/packager/tv/cenc')).status).toBe(401);
    expect((await t.client.withToken(viewer.token).get('/api/v1/packager/tv/cenc')).status).toBe(401);
    const limited = t.client.withToken((await t.admin.post('/api/admin/api-keys', { name: 'tv2 only', scopes: ['packager'], channels: ['tv2'] })).body.key);
    const refused = await limited.get('/api/v1/packager/tv/cenc');
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('channel_not_allowed');
  });
});

describe('GET /dash/<channel>/<manifest>.mpd', () => {
  it('writes CENC and ClearKey ContentProtection into every AdaptationSet, replacing the origin’s', async () => {
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const { xml, root } = await manifest();
    expect(xml).not.toContain(viewer.token);
    expect(all(root, 'Location')).toHaveLength(0);
    const sets = all(root, 'AdaptationSet');
    expect(sets).toHaveLength(2);
    for (const set of sets) {
      const protections = all(set, 'ContentProtection');
      expect(protections.map((p) => p.getAttribute('schemeIdUri'))).toEqual(['urn:mpeg:dash:mp4protection:2011', CLEARKEY]);
      expect(protections[0].getAttribute('value')).toBe('cenc');
      expect(protections[0].getAttributeNS(CENC_NS, 'default_KID')).toBe(hexToUuid(current.kid));
      const laurl = protections[1].getElementsByTagNameNS(DASHIF_NS, 'Laurl')[0];
      expect(laurl.textContent).toMatch(new RegExp(`^${t.cas.apiUrl}/clearkey/tv/license\\?ticket=k${viewer.id}\\.\\d+\\.[A-Za-z0-9_-]{22}$`));
    }
    // After FramePacking / AudioChannelConfiguration, as the MPD schema orders them.
    const order = Array.from(sets[1].childNodes).flatMap((n) => (n.nodeType === n.ELEMENT_NODE ? [(n as Element).localName] : []));
    expect(order).toEqual(['AudioChannelConfiguration', 'ContentProtection', 'ContentProtection', 'Representation']);
  });

  it('points segments of a folder origin at /dash with a ticket, and leaves other hosts alone', async () => {
    const { root } = await manifest();
    const template = all(root, 'SegmentTemplate')[0];
    expect(template.getAttribute('initialization')).toMatch(/^\/dash\/tv\/init-stream\$RepresentationID\$\.m4s\?ticket=k\d+\.\d+\.[\w-]{22}$/);
    expect(template.getAttribute('media')).toMatch(/^\/dash\/tv\/chunk-stream\$RepresentationID\$-\$Number%05d\$\.m4s\?ticket=k/);
    expect(all(root, 'BaseURL').map((b) => b.textContent)).toEqual(['http://elsewhere.example/a.mp4']);
    const init = await fetch(`${t.cas.apiUrl}${template.getAttribute('initialization')!.replace('$RepresentationID$', '0')}`);
    expect(init.status).toBe(200);
    expect(init.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(await init.arrayBuffer())).toEqual(Buffer.alloc(64, 3));
    expect((await fetch(`${t.cas.apiUrl}/dash/tv/init-stream0.m4s`)).status).toBe(403);
  });

  it('signs segments of an HTTP origin for the edge with the channel’s scheme', async () => {
    const { root } = await manifest('edgetv');
    const template = all(root, 'SegmentTemplate')[0];
    expect(template.getAttribute('media')).toMatch(new RegExp(`^${edgeBase}chunk-stream\\$RepresentationID\\$-\\$Number%05d\\$\\.m4s\\?ticket=s${viewer.id}\\.`));
  });

  it('never signs media a BaseURL puts outside the channel origin', async () => {
    const answer = await t.client.get(`/dash/edgetv/escape.mpd?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    const template = all(parse(answer.body as string), 'SegmentTemplate')[0];
    const outside = edgeBase.replace('/edgetv/', '/other/');
    expect(template.getAttribute('media')).toBe(`${outside}chunk-stream$RepresentationID$-$Number%05d$.m4s`);
    expect(answer.body).not.toContain('ticket=s');
  });

  it('resolves media URLs through the BaseURL chain and keeps a Representation’s own media file', () => {
    const xml = `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><BaseURL>base/</BaseURL><Period><BaseURL>p1/</BaseURL>
      <AdaptationSet><BaseURL>video/</BaseURL><SegmentTemplate media="s$Number$.m4s" initialization="i.m4s"/><Representation id="a"/></AdaptationSet>
      <AdaptationSet><Representation id="b"><BaseURL>audio.mp4</BaseURL><SegmentBase indexRange="0-9"><Initialization range="0-4"/></SegmentBase></Representation></AdaptationSet>
    </Period></MPD>`;
    const out = parse(
      rewriteMpd(xml, { manifestUrl: new URL('http://o.example/live/tv/m.mpd'), mediaUrl: (u) => `[${u.href}]`, defaultKidOf: () => 'kid', licenseUrl: 'L' }),
    );
    const template = all(out, 'SegmentTemplate')[0];
    expect(template.getAttribute('media')).toBe('[http://o.example/live/tv/base/p1/video/s$Number$.m4s]');
    expect(template.getAttribute('initialization')).toBe('[http://o.example/live/tv/base/p1/video/i.m4s]');
    expect(all(out, 'BaseURL').map((b) => b.textContent)).toEqual(['[http://o.example/live/tv/base/p1/audio.mp4]']);
    expect(() => rewriteMpd('<!DOCTYPE x [<!ENTITY e "x">]><MPD/>', { manifestUrl: new URL('http://o/'), mediaUrl: String, defaultKidOf: () => '', licenseUrl: '' })).toThrow(MpdRejectedError);
    expect(() => rewriteMpd('<html/>', { manifestUrl: new URL('http://o/'), mediaUrl: String, defaultKidOf: () => '', licenseUrl: '' })).toThrow(MpdRejectedError);
  });

  it('gives a Period named after a key id that key’s KID', async () => {
    const { current, next } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    writeFileSync(join(origin, 'periods.mpd'), mpd([current.keyId, next.keyId]));
    const answer = await t.client.get(`/dash/tv/periods.mpd?token=${viewer.token}`);
    const periods = all(parse(answer.body as string), 'Period');
    const kidOf = (period: Element) => all(period, 'ContentProtection')[0].getAttributeNS(CENC_NS, 'default_KID');
    expect(periods.map(kidOf)).toEqual([hexToUuid(current.kid), hexToUuid(next.kid)]);
  });

  it('refuses viewers without the package, and answers CORS and preflights', async () => {
    const refused = await t.client.get(`/dash/tv/manifest.mpd?token=${outsider.token}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('not_entitled');
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    const ok = await t.client.get(`/dash/tv/manifest.mpd?token=${viewer.token}`);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('content-type')).toContain('application/dash+xml');
    const preflight = await fetch(`${t.cas.apiUrl}/dash/tv/manifest.mpd`, { method: 'OPTIONS', headers: { origin: 'http://player.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers 502 JSON for an origin file that is not an MPD', async () => {
    const answer = await t.client.get(`/dash/tv/notxml.mpd?token=${viewer.token}`);
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('origin_unavailable');
  });
});

describe('POST /clearkey/<channel>/license', () => {
  it('answers a ClearKey request without Content-Type with the channel’s key as a JWK set', async () => {
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const { licensePath } = await manifest();
    const answer = await license(licensePath, { kids: [b64url(current.kid)], type: 'temporary' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await json(answer)).toEqual({ keys: [{ kty: 'oct', k: b64url(current.key), kid: b64url(current.kid) }], type: 'temporary' });
  });

  it('leaves out KIDs of other channels, and refuses a request for only those', async () => {
    const own = (await packager.get('/api/v1/packager/tv/cenc')).body.current;
    const foreign = (await packager.get('/api/v1/packager/tv2/cenc')).body.current;
    const { licensePath } = await manifest();
    const mixed = await license(licensePath, { kids: [b64url(foreign.kid), b64url(own.kid)] });
    expect((await json(mixed)).keys.map((k: { kid: string }) => k.kid)).toEqual([b64url(own.kid)]);
    const onlyForeign = await license(licensePath, { kids: [b64url(foreign.kid)] });
    expect(onlyForeign.status).toBe(404);
    // A ticket for one channel opens no other channel's license.
    const otherDoor = await license(licensePath.replace('/tv/', '/tv2/'), { kids: [b64url(foreign.kid)] });
    expect(otherDoor.status).toBe(403);
  });

  it('refuses bad input with a 4xx JSON naming the field', async () => {
    const { licensePath } = await manifest();
    const notJson = await license(licensePath, 'kids=1');
    expect(notJson.status).toBe(400);
    expect((await json(notJson)).error.field).toBe('body');
    const badKid = await license(licensePath, { kids: ['not-a-kid'] });
    expect(badKid.status).toBe(400);
    expect((await json(badKid)).error.field).toBe('kids.0');
    const typed = await license(licensePath, { kids: [] }, { 'content-type': 'application/json' });
    expect(typed.status).toBe(400);
    expect((await json(typed)).error.field).toBe('kids');
    const huge = await license(licensePath, 'x'.repeat(10_000));
    expect(huge.status).toBe(413);
  });

  it('refuses a viewer without the package, with the reason in the access log', async () => {
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const refused = await license('/clearkey/tv/license', { kids: [b64url(current.kid)] }, { authorization: `Bearer ${outsider.token}` });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.reason).toBe('not_entitled');
    t.cas.services.access.flush();
    const log = await t.admin.get(`/api/admin/access-log?account=${outsider.id}`);
    expect(log.body.items[0]).toMatchObject({ result: 'deny', reason: 'not_entitled', source: 'clearkey-license', channelId: 'tv' });
  });

  it('opens a viewing session counted against the connection limit', async () => {
    const limited = (await t.admin.post('/api/admin/accounts', { username: 'dashlimited', packages: ['basic'], maxConnections: 1 })).body;
    await t.admin.patch('/api/admin/settings', { overLimitPolicy: 'refuse-newest' });
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const asked = { kids: [b64url(current.kid)] };
    const first = await license('/clearkey/tv/license', asked, { authorization: `Bearer ${limited.token}`, 'user-agent': 'player one' });
    expect(first.status).toBe(200);
    const second = await license('/clearkey/tv/license', asked, { authorization: `Bearer ${limited.token}`, 'user-agent': 'player two' });
    expect(second.status).toBe(403);
    expect((await json(second)).error.reason).toBe('connection_limit');
    await t.admin.patch('/api/admin/settings', { overLimitPolicy: 'handover' });
  });

  it('refuses a disabled account holding a valid ticket', async () => {
    const account = (await t.admin.post('/api/admin/accounts', { username: 'dashdisabled', packages: ['basic'], maxConnections: 0 })).body;
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const { licensePath } = await manifest('tv', account.token);
    await t.admin.patch(`/api/admin/accounts/${account.id}`, { enabled: false });
    const refused = await license(licensePath, { kids: [b64url(current.kid)] });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.reason).toBe('disabled');
  });

  it('answers the CORS preflight of a license POST', async () => {
    const preflight = await fetch(`${t.cas.apiUrl}/clearkey/tv/license`, {
      method: 'OPTIONS',
      headers: { origin: 'http://player.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
  });

  it('refuses an expired ticket, with bad_credential in the access log', async () => {
    const { current } = (await packager.get('/api/v1/packager/tv/cenc')).body;
    const { licensePath } = await manifest();
    t.clock.advance(301_000);
    const refused = await license(licensePath, { kids: [b64url(current.kid)] }, { 'user-agent': 'expired-ticket-player' });
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.reason).toBe('bad_credential');
    t.cas.services.access.flush();
    const log = await t.admin.get('/api/admin/access-log?reason=bad_credential');
    expect(log.body.items[0]).toMatchObject({ result: 'deny', source: 'clearkey-license', channelId: 'tv' });
  });
});
