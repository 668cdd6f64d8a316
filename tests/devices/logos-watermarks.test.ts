import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { sanitizeSvg } from '../../src-main/logos/svg-sanitizer';
import { authBody, makePackage, makeSubscriber } from './device-helpers';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

/** A valid 2×1 PNG (IHDR + IDAT + IEND). */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000010806000000f478d4fa0000000d49444154789c63f8cfc0f01f0005000201a4d4f7a10000000049454e44ae426082',
  'hex',
);
/** The smallest JPEG header with an SOF0 of 16×8. */
const JPEG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
  Buffer.from('ffc0000b080008001001011100', 'hex'),
  Buffer.from('ffd9', 'hex'),
]);

async function upload(channel: string, body: Buffer | string, contentType = 'application/octet-stream') {
  const response = await fetch(`${t.cas.adminUrl}/api/admin/channels/${channel}/logo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.admin.token}`, 'content-type': contentType },
    body,
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('logos', () => {
  it('stores an uploaded PNG, points the channel at /logos/<id>, and serves it with caching headers', async () => {
    await makePackage(t, ['logo-ch']);
    const answer = await upload('logo-ch', PNG, 'image/jpeg');
    expect(answer.status).toBe(200);
    expect(answer.body.contentType).toBe('image/png'); // sniffed, not taken from the header
    expect((await t.admin.get('/api/admin/channels/logo-ch')).body.logo).toBe('/logos/logo-ch');
    const served = await fetch(`${t.cas.apiUrl}/logos/logo-ch`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    const etag = served.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    const again = await fetch(`${t.cas.apiUrl}/logos/logo-ch`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  });

  it('accepts JPEG by its bytes and refuses anything else whatever its name or type says', async () => {
    await makePackage(t, ['jpeg-ch']);
    expect((await upload('jpeg-ch', JPEG)).body.contentType).toBe('image/jpeg');
    const gif = await upload('jpeg-ch', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'image/png');
    expect(gif.status).toBe(400);
    expect(gif.body.error.field).toBe('logo');
    const html = await upload('jpeg-ch', '<html><script>alert(1)</script></html>', 'image/svg+xml');
    expect(html.status).toBe(400);
    const broken = await upload('jpeg-ch', PNG.subarray(0, 12));
    expect(broken.status).toBe(400);
  });

  it('refuses an upload over the size limit with 413', async () => {
    await makePackage(t, ['big-ch']);
    await t.admin.patch('/api/admin/settings', { logoMaxBytes: 2048 });
    const big = Buffer.concat([PNG, Buffer.alloc(4096)]);
    const answer = await upload('big-ch', big);
    expect(answer.status).toBe(413);
    await t.admin.patch('/api/admin/settings', { logoMaxBytes: 512 * 1024 });
  });

  it('sanitizes SVG: scripts, event handlers, foreign content and external references are gone', async () => {
    await makePackage(t, ['svg-ch']);
    const evil = `<?xml version="1.0"?>
      <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
        <script>alert(2)</script>
        <style>rect { fill: url(https://evil.example/x) }</style>
        <foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>
        <a href="javascript:alert(3)"><rect width="5" height="5"/></a>
        <use xlink:href="https://evil.example/sprite.svg#x"/>
        <rect width="10" height="10" fill="#c00" onclick="alert(4)" style="fill:url(javascript:alert(5))"/>
        <circle cx="5" cy="5" r="3" fill="url(#g)"/>
        <set attributeName="href" to="javascript:alert(6)"/>
      </svg>`;
    const answer = await upload('svg-ch', evil);
    expect(answer.status).toBe(200);
    expect(answer.body.contentType).toBe('image/svg+xml');
    const served = await fetch(`${t.cas.apiUrl}/logos/svg-ch`);
    const text = await served.text();
    expect(served.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const bad of ['script', 'onload', 'onclick', 'foreignObject', 'iframe', 'javascript', 'evil.example', '<a', '<set']) {
      expect(text).not.toContain(bad);
    }
    expect(text).toContain('<circle cx="5" cy="5" r="3" fill="url(#g)"/>');
    expect(text).toContain('width="10" height="10" fill="#c00"');
  });

  it('refuses SVG with a DTD (entity expansion) and malformed XML', () => {
    expect(() => sanitizeSvg('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')).toThrow(/DTD/);
    expect(() => sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')).toThrow();
    expect(() => sanitizeSvg('<html xmlns="http://www.w3.org/1999/xhtml"/>')).toThrow(/not an SVG/);
  });

  describe('CSS in SVG that hides a fetch or a script behind escapes or comments', () => {
    const bypasses = [
      'rect{fill:\\75rl(https://evil.example/a)}',
      'rect{fill:\\000075rl(https://evil.example/a)}',
      'rect{fill:\\75 rl(https://evil.example/a)}',
      'rect{fill:\\55RL(https://evil.example/a)}',
      'rect{fill:u\\rl(https://evil.example/a)}',
      'rect{fill:url(\\68ttps://evil.example/a)}',
      'rect{fill:url("\\68ttps://evil.example/a")}',
      'rect{fill:url(\\"https://evil.example/a)}',
      '\\@import "https://evil.example/a.css";',
      '\\40 import "https://evil.example/a.css";',
      '@\\69mport "https://evil.example/a.css";',
      '@im/**/port "https://evil.example/a.css";',
      'rect{width:expr/**/ession(alert(1))}',
      'rect{width:\\65xpression(alert(1))}',
      'rect{fill:ur/* a comment */l(https://evil.example/a)}',
      'rect{content:"/*"; fill:url(https://evil.example/a); content:"*/"}',
      'rect{fill:image-set("https://evil.example/a" 1x)}',
      '@font-face{font-family:x;src:local(x)}',
      'rect{behavior:url(#x)} rect{-moz-binding:none}',
    ];

    it.each(bypasses)('drops <style>%s</style>', (css) => {
      const out = sanitizeSvg(`<svg xmlns="http://www.w3.org/2000/svg"><style>${css.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</style><rect width="1" height="1"/></svg>`);
      expect(out).not.toContain('<style');
      expect(out).toContain('<rect width="1" height="1"/>');
    });

    it.each(bypasses.filter((css) => css.startsWith('rect{')))('drops style="%s" from an element', (css) => {
      const declarations = css.slice('rect{'.length, -1).replace(/"/g, '&quot;');
      const out = sanitizeSvg(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" style="${declarations}"/></svg>`);
      expect(out).not.toContain('style=');
    });

    it('keeps plain and escaped CSS that fetches nothing', () => {
      const out = sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:url(#g)} /* brand */ .b{font-family:"A\\42 C"}</style></svg>');
      expect(out).toContain('<style>');
      expect(out).toContain('url(#g)');
    });
  });

  it('removes a logo and answers 404 for it afterwards', async () => {
    await makePackage(t, ['gone-ch']);
    await upload('gone-ch', PNG);
    expect((await t.admin.delete('/api/admin/channels/gone-ch/logo')).status).toBe(204);
    expect((await fetch(`${t.cas.apiUrl}/logos/gone-ch`)).status).toBe(404);
    expect((await t.admin.get('/api/admin/channels/gone-ch')).body.logo).toBeNull();
  });
});

describe('stream info and watermarks', () => {
  it('renders the default watermark for the viewer and applies channel overrides field by field', async () => {
    const pkg = await makePackage(t, ['wm-default', 'wm-custom', 'wm-off']);
    await t.admin.patch('/api/admin/channels/wm-custom', { watermark: { template: '{username}/{device} on {channel}', position: 'top-right', opacity: 0.5 } });
    await t.admin.patch('/api/admin/channels/wm-off', { watermark: { enabled: false } });
    await t.admin.patch('/api/admin/settings', { defaultWatermark: { template: '{username} · {hwid}', size: 4, moveSeconds: 120 } });
    const sub = await makeSubscriber(t, { packages: [pkg], username: 'wm-viewer' });
    const answer = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'HW-42'));
    const byId = Object.fromEntries(answer.body.streamInfo.channels.map((c: any) => [c.id, c]));
    expect(byId['wm-default'].watermark).toEqual({ text: 'wm-viewer · HW-42', position: 'random', opacity: 0.25, size: 4, moveSeconds: 120 });
    expect(byId['wm-custom'].watermark).toEqual({
      text: `wm-viewer/${answer.body.device.id} on wm-custom`,
      position: 'top-right',
      opacity: 0.5,
      size: 4,
      moveSeconds: 120,
    });
    expect(byId['wm-off'].watermark).toBeNull();
    const channel = (await t.admin.get('/api/admin/channels/wm-custom')).body;
    expect(channel.watermark).toEqual({ enabled: null, template: '{username}/{device} on {channel}', position: 'top-right', opacity: 0.5, size: null, moveSeconds: null });
  });

  it('refuses an unknown watermark placeholder with 400 naming the field', async () => {
    await makePackage(t, ['wm-bad']);
    const answer = await t.admin.patch('/api/admin/channels/wm-bad', { watermark: { template: '{password}' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('watermark.template');
  });

  it('lists only entitled channels, with the signed stream URL, key, ECM and absolute logo URLs', async () => {
    const pkg = await makePackage(t, ['si-one']);
    await makePackage(t, ['si-other']);
    await upload('si-one', PNG);
    await t.admin.patch('/api/admin/settings', { defaultStreamBaseUrl: 'http://edge.example:8000' });
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'SI-1'));
    const info = (await t.client.withToken(signIn.body.session.token).get('/api/v1/client/stream-info')).body;
    expect(info.channels.map((c: any) => c.id)).toEqual(['si-one']);
    const [one] = info.channels;
    expect(one.logo).toBe(`${t.cas.apiUrl}/logos/si-one`);
    expect(one.streamUrl).toMatch(/^http:\/\/edge\.example:8000\/tv\/si-one\/index\.m3u8\?ticket=s\d+\./);
    const period = t.cas.services.keys.controlWords.currentPeriod('si-one').period;
    expect(one.keyUrl).toBe(`${t.cas.apiUrl}/keys/si-one/${period}`);
    expect(one.ecmUrl).toBe(`${t.cas.apiUrl}/api/v1/client/ecm/si-one`);
    expect(info.emmUrl).toBe(`${t.cas.apiUrl}/api/v1/client/emm`);
  });
});
