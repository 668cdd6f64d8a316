import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { patchSettings } from './access-helpers';

/** One viewer address on every client route, behind a trusted proxy (this test's client plays the proxy on 127.0.0.1). */

let t: TestCas;
let origin: string;
let token: string;
let period: number;

/** What a proxy that appends the viewer's address sends; the leftmost entry is the viewer's own forgery. */
const through = (viewer: string) => ({ 'x-forwarded-for': `10.66.66.66, ${viewer}` });

beforeAll(async () => {
  origin = mkdtempSync(join(tmpdir(), 'cas-origin-'));
  t = await startTestCas();
  period = Math.floor(t.clock.now() / 600_000);
  writeFileSync(
    join(origin, 'index.m3u8'),
    `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-KEY:METHOD=AES-128,URI="http://cas.example/keys/tv1/${period}"\n#EXTINF:1.0,\nseg0.ts\n`,
  );
  writeFileSync(join(origin, 'seg0.ts'), Buffer.alloc(188, 7));
  await t.admin.post('/api/admin/channels', { id: 'tv1', name: 'TV 1', packages: ['basic'], hlsOrigin: origin });
  token = (await t.admin.post('/api/admin/accounts', { username: 'proxied-viewer', packages: ['basic'], maxConnections: 0 })).body.token;
  await patchSettings(t, { trustedProxies: ['127.0.0.1/32', '::1/128'], sharingMaxAddresses: 0 });
});
afterAll(async () => {
  await t.dispose();
  rmSync(origin, { recursive: true, force: true });
});

describe('behind a trusted proxy', () => {
  it('refuses a viewer on the deny list equally on /keys, /hls and /playlist.m3u8, and lets the viewer next to them in', async () => {
    const rule = await t.admin.post('/api/admin/access/ip-rules', { list: 'deny', range: '203.0.113.7' });
    expect(rule.status).toBe(201);
    try {
      for (const path of [`/keys/tv1/${period}?token=${token}`, `/hls/tv1/index.m3u8?token=${token}`, `/playlist.m3u8?token=${token}`]) {
        const denied = await t.client.get(path, through('203.0.113.7'));
        expect(denied.status, path).toBe(403);
        expect(denied.body.error.reason, path).toBe('ip_denied');
        expect((await t.client.get(path, through('203.0.113.8'))).status, path).toBe(200);
      }
    } finally {
      await t.admin.delete(`/api/admin/access/ip-rules/${rule.body.id}`);
    }
  });

  it('binds the key ticket of a playlist to the viewer behind the proxy: it opens the key for that viewer only', async () => {
    const playlist = await t.client.get(`/hls/tv1/index.m3u8?token=${token}`, through('203.0.113.20'));
    expect(playlist.status).toBe(200);
    const keyUri = /URI="([^"]+)"/.exec(playlist.body as string)![1];
    expect(keyUri).toMatch(/^\/keys\/tv1\/\d+\?ticket=/);
    expect((await t.client.get(keyUri, through('203.0.113.20'))).status).toBe(200);
    expect((await t.client.get(keyUri, through('203.0.113.21'))).status).toBe(403);
    expect((await t.client.get(keyUri)).status).toBe(403);
  });
});
