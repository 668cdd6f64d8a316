import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from '../access/access-helpers';
import { startNginx, type RunningNginx } from '../access/real-nginx';
import { guardedLookup, isMetadataAddress } from '../../src-main/hls/origin-fetch';

/**
 * `/hls` is neither a fetch proxy nor a signing oracle: whatever the path or the origin's answer,
 * the CAS reads only below the channel's configured origin, within size and time bounds, and signs
 * only URIs below that origin.
 */

const SECRET = 'hls-origin-guard-secure-link-secret';
let t: TestCas;
let origin: Server;
let originUrl: string;
let viewer: any;
/** Every path the origin server was asked for. */
const asked: string[] = [];
/** Bytes the oversized answer wrote before the CAS hung up. */
let hugeBytesSent = 0;
let hugeClosed: Promise<void>;

function newsPlaylist(): string {
  return `#EXTM3U
#EXT-X-TARGETDURATION:2
#EXTINF:2.0,
seg0.ts
#EXTINF:2.0,
${originUrl}/live/premium/seg0.ts
#EXTINF:2.0,
../premium/seg1.ts
#EXTINF:2.0,
http://elsewhere.example/live/news/seg2.ts
#EXTINF:2.0,
data:video/mp2t;base64,AAAA
#EXT-X-KEY:METHOD=AES-128,URI="http://cas.example/keys/premium/1"
#EXTINF:2.0,
/live/news/sub/seg3.ts
`;
}

function serveOrigin(path: string, res: ServerResponse): void {
  if (path === '/live/news/index.m3u8' || path === '/live/premium/index.m3u8') {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(newsPlaylist());
  } else if (path === '/live/news/nested.m3u8') {
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end('#EXTM3U\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\nvip/seg0.ts\n');
  } else if (path === '/live/news/away.m3u8') {
    res.writeHead(302, { location: `${originUrl}/live/premium/index.m3u8` }).end();
  } else if (path === '/live/news/other-host.m3u8') {
    res.writeHead(301, { location: 'http://localhost:1/live/news/index.m3u8' }).end();
  } else if (path === '/live/news/moved.m3u8') {
    res.writeHead(302, { location: '/live/news/index.m3u8' }).end();
  } else if (path === '/live/news/loop.m3u8') {
    res.writeHead(302, { location: '/live/news/loop.m3u8' }).end();
  } else if (path === '/live/news/huge.m3u8') {
    // An endless answer without a length: only counting while streaming can stop it.
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
    const chunk = Buffer.alloc(64 * 1024, 0x23);
    hugeClosed = new Promise((resolve) => res.on('close', () => resolve()));
    const pump = () => {
      while (!res.destroyed && hugeBytesSent < 256 * 1024 * 1024) {
        hugeBytesSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  } else if (path === '/live/news/slow.m3u8') {
    // Trickles a byte every 100 ms: each read is quick, the whole never ends.
    res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' });
    res.write('#EXTM3U\n');
    const timer = setInterval(() => res.write('#'), 100);
    res.on('close', () => clearInterval(timer));
  } else {
    res.writeHead(404).end();
  }
}

/** A GET with the path sent exactly as written (fetch would normalise dot segments and `//`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(t.cas.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: { authorization: `Bearer ${viewer.token}` } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += String(c)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function premiumAsked(): number {
  return asked.filter((p) => !p.startsWith('/live/news/')).length;
}

beforeAll(async () => {
  origin = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    asked.push(path);
    serveOrigin(path, res);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  t = await startTestCas();
  await patchSettings(t, { secureLinkSecret: SECRET, hlsOriginTimeoutSeconds: 1 });
  await createChannel(t, { id: 'news', name: 'News', packages: ['basic'], hlsOrigin: `${originUrl}/live/news`, urlSigning: 'nginx-secure-link' });
  await createChannel(t, { id: 'premium', name: 'Premium', packages: ['premium'], hlsOrigin: `${originUrl}/live/premium`, urlSigning: 'nginx-secure-link' });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
});

afterAll(async () => {
  await t?.dispose();
  origin?.closeAllConnections();
  await new Promise((resolve) => origin?.close(resolve));
});

describe('the /hls path is a canonical relative path below the channel origin', () => {
  const hostile = [
    ['an absolute URL', () => `/hls/news/${originUrl}/live/premium/index.m3u8`],
    ['an encoded absolute URL', () => `/hls/news/${encodeURIComponent(`${originUrl}/live/premium/index.m3u8`)}`],
    ['a data: URL', () => `/hls/news/data:application/vnd.apple.mpegurl,%23EXTM3U%0A${encodeURIComponent(`${originUrl}/live/premium/seg0.ts`)}`],
    ['an encoded data: URL', () => `/hls/news/${encodeURIComponent(`data:,#EXTM3U\n${originUrl}/live/premium/seg0.ts`)}`],
    ['a scheme-relative path', () => `/hls/news//127.0.0.1/live/premium/index.m3u8`],
    ['dot segments', () => '/hls/news/../premium/index.m3u8'],
    ['encoded dot segments', () => '/hls/news/%2e%2e/premium/index.m3u8'],
    ['double-encoded dot segments', () => '/hls/news/%252e%252e/premium/index.m3u8'],
    ['mixed dot segments', () => '/hls/news/.%2E/premium/index.m3u8'],
    ['an encoded slash', () => '/hls/news/..%2fpremium%2findex.m3u8'],
    ['backslashes', () => '/hls/news/..%5cpremium%5cindex.m3u8'],
    ['an empty segment', () => '/hls/news/sub//index.m3u8'],
    ['a file: URL', () => `/hls/news/file:${encodeURIComponent('///etc/passwd')}`],
  ] as const;

  for (const [name, path] of hostile) {
    it(`refuses ${name} without a fetch or a signature`, async () => {
      const before = asked.length;
      const answer = await rawGet(path());
      expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body).not.toContain('md5=');
      expect(asked.slice(before).filter((p) => p !== '/live/news/index.m3u8')).toEqual([]);
    });
  }
});

describe('the origin read stays below the origin and within bounds', () => {
  it('refuses a redirect that leaves the origin, and never fetches its target', async () => {
    const before = premiumAsked();
    const away = await t.client.get(`/hls/news/away.m3u8?token=${viewer.token}`);
    expect(away.status).toBe(502);
    expect(JSON.stringify(away.body)).toContain('redirect_outside_origin');
    expect((await t.client.get(`/hls/news/other-host.m3u8?token=${viewer.token}`)).status).toBe(502);
    expect(premiumAsked()).toBe(before);
  });

  it('refuses an origin URL carrying user:password@ when the channel is saved, naming the field', async () => {
    const answer = await t.admin.patch('/api/admin/channels/news', { hlsOrigin: 'http://cas:secret@127.0.0.1:9/live/news' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('hlsOrigin');
    expect(JSON.stringify(answer.body)).not.toContain('secret');
  });

  it('follows a redirect that stays below the origin, but not forever', async () => {
    expect((await t.client.get(`/hls/news/moved.m3u8?token=${viewer.token}`)).status).toBe(200);
    const loop = await t.client.get(`/hls/news/loop.m3u8?token=${viewer.token}`);
    expect(loop.status).toBe(502);
    expect(JSON.stringify(loop.body)).toContain('too_many_redirects');
  });

  it('cuts an oversized origin answer off while it streams', async () => {
    const answer = await t.client.get(`/hls/news/huge.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(502);
    expect(JSON.stringify(answer.body)).toContain('too_large');
    await hugeClosed;
    // The limit is 4 MiB; socket buffers let a little more leave the origin before the hang-up.
    expect(hugeBytesSent).toBeLessThan(16 * 1024 * 1024);
  });

  it('cuts a slow origin off at the configured total time', async () => {
    const started = Date.now();
    const answer = await t.client.get(`/hls/news/slow.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(502);
    expect(JSON.stringify(answer.body)).toContain('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('never connects by name to link-local or metadata addresses', async () => {
    for (const address of ['169.254.169.254', '169.254.0.1', '100.100.100.200', 'fe80::1', 'fd00:ec2::254', '::ffff:169.254.169.254']) {
      expect(isMetadataAddress(address), address).toBe(true);
    }
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.1.1', '100.100.100.201', '::1', 'fd00:ec2::253']) {
      expect(isMetadataAddress(address), address).toBe(false);
    }
    const resolveTo = (addresses: Array<{ address: string; family: number }>) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
        guardedLookup('origin.example', { all: true }, (error, address) => resolve({ error, address }), (_host, _options, callback) => callback(null, addresses)),
      );
    const mixed = await resolveTo([
      { address: '169.254.169.254', family: 4 },
      { address: '192.0.2.7', family: 4 },
    ]);
    expect(mixed.address).toEqual([{ address: '192.0.2.7', family: 4 }]);
    const metadataOnly = await resolveTo([{ address: '169.254.169.254', family: 4 }]);
    expect(metadataOnly.error?.code).toBe('ECAS_FORBIDDEN_ADDRESS');
  });
});

describe('the rewritten playlist signs only URIs below the channel origin', () => {
  it('signs its own segments and leaves other channels, hosts and schemes unsigned', async () => {
    const answer = await t.client.get(`/hls/news/index.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    const lines = (answer.body as string).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${originUrl}/live/news/seg0\\.ts\\?md5=[A-Za-z0-9_-]{22}&expires=\\d+$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${originUrl}/live/news/sub/seg3\\.ts\\?md5=`)));
    // Another channel's path on the same host, a path above the origin, another host, a data: URI: as written.
    expect(lines).toContain(`${originUrl}/live/premium/seg0.ts`);
    expect(lines).toContain('../premium/seg1.ts');
    expect(lines).toContain('http://elsewhere.example/live/news/seg2.ts');
    expect(lines).toContain('data:video/mp2t;base64,AAAA');
    // A key of another channel of this CAS gets a key ticket for that channel (/keys decides entitlement to it again).
    expect(lines).toContainEqual(expect.stringMatching(/^#EXT-X-KEY:METHOD=AES-128,URI="\/keys\/premium\/1\?ticket=k\d+\.\d+\.[A-Za-z0-9_-]{22}"$/));
    expect(lines.filter((l) => l.includes('md5=') || l.includes('ticket='))).toHaveLength(3);
  });

  it("leaves unsigned what lies below its origin but in another channel's stream folder", async () => {
    await createChannel(t, { id: 'vip', name: 'VIP', packages: ['premium'], streamPath: '/live/news/vip/index.m3u8', urlSigning: 'nginx-secure-link' });
    const answer = await t.client.get(`/hls/news/nested.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    const uris = (answer.body as string).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(uris[0]).toMatch(new RegExp(`^${originUrl}/live/news/seg0\\.ts\\?md5=`));
    expect(uris[1]).toBe('vip/seg0.ts');
  });
});

describe('through the real nginx secure_link edge', () => {
  let nginx: RunningNginx;
  beforeAll(async () => {
    nginx = await startNginx(
      () => `
    location /edge/ {
      location ~ \\.ts$ {
        secure_link $arg_md5,$arg_expires;
        secure_link_md5 "$secure_link_expires$uri$remote_addr ${SECRET}";
        if ($secure_link = "") { return 403; }
        if ($secure_link = "0") { return 410; }
      }
    }`,
      (webRoot) => {
        for (const channel of ['sports', 'premium']) {
          mkdirSync(join(webRoot, 'edge', channel), { recursive: true });
          writeFileSync(join(webRoot, 'edge', channel, 'seg0.ts'), Buffer.alloc(188, 0x47));
        }
        writeFileSync(join(webRoot, 'edge', 'sports', 'index.m3u8'), `#EXTM3U\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\n../premium/seg0.ts\n#EXTINF:2.0,\n/edge/premium/seg0.ts\n`);
      },
    );
    await createChannel(t, { id: 'sports', name: 'Sports', packages: ['basic'], hlsOrigin: `${nginx.url}/edge/sports/`, urlSigning: 'nginx-secure-link' });
  }, 30_000);
  afterAll(async () => nginx?.stop());

  it('accepts the segment the CAS signed and refuses the other channel it listed', async () => {
    const answer = await t.client.get(`/hls/sports/index.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    const uris = (answer.body as string).split('\n').filter((l) => l && !l.startsWith('#'));
    expect(uris).toHaveLength(3);
    const [own, above, premium] = uris;
    expect(own).toContain('md5=');
    expect((await fetch(own)).status).toBe(200);
    expect((await fetch(new URL(above, `${nginx.url}/edge/sports/index.m3u8`))).status).toBe(403);
    expect((await fetch(new URL(premium, nginx.url))).status).toBe(403);
  });
});
