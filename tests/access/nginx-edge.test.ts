import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from './access-helpers';
import { documentedNginxServer, freePort, startNginx, type RunningNginx } from './real-nginx';

/**
 * The edge and the CAS see the same request, and no header a viewer sets decides anything:
 * a basic-package viewer attacks a premium channel through the real nginx, with the config
 * docs/streaming-servers.md documents (read from the page, as an operator would copy it) and
 * with the shorter config earlier versions of the page documented.
 */

/** The config earlier versions of the docs gave: no X-Original-Path, nothing cleared. */
function legacyServer(casAddress: string): string {
  return `
    location /tv/ {
      auth_request /_cas_auth;
      auth_request_set $cas_reason $upstream_http_x_cas_reason;
      add_header X-CAS-Reason $cas_reason always;
    }
    location = /_cas_auth {
      internal;
      proxy_pass http://${casAddress}/auth/nginx;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Real-IP $remote_addr;
    }`;
}

interface RawAnswer {
  status: number;
  body: string;
  reason: string | undefined;
}

/** GET with the path sent byte for byte (no URL normalisation by the client). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reason: res.headers['x-cas-reason'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

const is2xx = (status: number) => status >= 200 && status < 300;

/** Every way we know to write "free's folder, then up, then premium" (or to hide a segment boundary). */
const PREMIUM_TRICKS = [
  '/tv/free/../premium/index.m3u8',
  '/tv/free/./../premium/index.m3u8',
  '/tv/free/../../tv/premium/index.m3u8',
  '/tv/free/%2e%2e/premium/index.m3u8',
  '/tv/free/%2E%2E/premium/index.m3u8',
  '/tv/free/.%2e/premium/index.m3u8',
  '/tv/free/%2e./premium/index.m3u8',
  '/tv/free/%2e%2e%2fpremium%2findex.m3u8',
  '/tv/free%2f..%2fpremium/index.m3u8',
  '/tv/free%2F..%2Fpremium/index.m3u8',
  '/tv/free/..%2fpremium/index.m3u8',
  '/tv/free//../premium/index.m3u8',
  '/tv//free/../premium/index.m3u8',
  '/tv//premium/index.m3u8',
  '/tv/free\\..\\premium/index.m3u8',
  '/tv/free/..\\premium/index.m3u8',
  '/tv/free/..%5cpremium/index.m3u8',
  '/tv/free/..%5Cpremium/index.m3u8',
  '/tv/free/index.m3u8;x=/../../premium/index.m3u8',
  '/tv/free;x=/../premium/index.m3u8',
  '/tv/free/..;/premium/index.m3u8',
  '/tv/free/%00/../../premium/index.m3u8',
  '/tv/free/x%00/../../premium/index.m3u8',
  '/tv/free/%c0%ae%c0%ae/premium/index.m3u8',
  '/tv/free/%c0%ae%c0%ae%c0%afpremium/index.m3u8',
  '/tv/free/%e0%80%ae%e0%80%ae/premium/index.m3u8',
  '/tv/free/%252e%252e/premium/index.m3u8',
  '/tv/free/%252e%252e%252fpremium/index.m3u8',
  '/tv/free/%2e%2e/%2e%2e/tv/premium/index.m3u8',
  '/tv/free/%zz/../../premium/index.m3u8',
  '/tv/free/%2/../../premium/index.m3u8',
  '/tv/free/%0a/../../premium/index.m3u8',
  '/tv/free/%09/../../premium/index.m3u8',
  '/tv/free/%ff/../../premium/index.m3u8',
];

let t: TestCas;
let documented: RunningNginx;
let legacy: RunningNginx;
let basic: any;
let premium: any;

function prepareWebRoot(webRoot: string): void {
  for (const channel of ['free', 'premium']) {
    const dir = join(webRoot, 'tv', channel);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.m3u8'), `#EXTM3U\n# ${channel.toUpperCase()}-CONTENT\nseg0.ts\n`);
    writeFileSync(join(dir, 'seg0.ts'), `${channel.toUpperCase()}-SEGMENT`);
  }
}

beforeAll(async () => {
  t = await startTestCas();
  await patchSettings(t, { sharingMaxAddresses: 0 });
  await createChannel(t, { id: 'free', name: 'Free', number: 1, packages: ['basic'], streamPath: '/tv/free/index.m3u8' });
  await createChannel(t, { id: 'premium', name: 'Premium', number: 2, packages: ['premium'], streamPath: '/tv/premium/index.m3u8' });
  basic = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
  premium = await createViewer(t, { packages: ['premium'], maxConnections: 0 });
  const cas = `127.0.0.1:${new URL(t.cas.apiUrl).port}`;
  documented = await startNginx(() => documentedNginxServer('location = /_cas_auth', cas), prepareWebRoot);
  legacy = await startNginx(() => legacyServer(cas), prepareWebRoot);
}, 60_000);

afterAll(async () => {
  await documented?.stop();
  await legacy?.stop();
  await t?.dispose();
});

describe.each([
  ['the documented nginx config', () => documented],
  ['the earlier, shorter nginx config', () => legacy],
])('through %s', (_name, edge) => {
  it('still serves entitled viewers: playlist with the token, segments on the session, premium to premium', async () => {
    const player = { 'user-agent': `player-${_name}` };
    const playlist = await rawGet(edge().url, `/tv/free/index.m3u8?token=${basic.token}`, player);
    expect(playlist.status).toBe(200);
    expect(playlist.body).toContain('FREE-CONTENT');
    expect((await rawGet(edge().url, '/tv/free/seg0.ts', player)).status).toBe(200);
    const paid = await rawGet(edge().url, `/tv/premium/index.m3u8?token=${premium.token}`, { 'user-agent': 'premium-subscriber' });
    expect(paid.status).toBe(200);
    expect(paid.body).toContain('PREMIUM-CONTENT');
  });

  it('never gives a basic viewer premium content, however the path is written (token on the request)', async () => {
    const leaks: string[] = [];
    for (const trick of PREMIUM_TRICKS) {
      const answer = await rawGet(edge().url, `${trick}?token=${basic.token}`);
      if (is2xx(answer.status) || answer.body.includes('PREMIUM')) leaks.push(`${trick} → ${answer.status} ${answer.reason ?? ''}`);
    }
    expect(leaks).toEqual([]);
    // The path tricks nginx would resolve to premium are refused by the CAS with the reason.
    expect((await rawGet(edge().url, `/tv/free/%2e%2e/premium/index.m3u8?token=${basic.token}`)).reason).toBe('non_canonical_path');
  });

  it('never lets a segment request ride a free-channel session into premium', async () => {
    const player = { 'user-agent': `rider-${_name}` };
    expect((await rawGet(edge().url, `/tv/free/index.m3u8?token=${basic.token}`, player)).status).toBe(200);
    const leaks: string[] = [];
    for (const trick of PREMIUM_TRICKS.map((p) => p.replace('index.m3u8', 'seg0.ts'))) {
      const answer = await rawGet(edge().url, trick, player);
      if (is2xx(answer.status) || answer.body.includes('PREMIUM')) leaks.push(`${trick} → ${answer.status} ${answer.reason ?? ''}`);
    }
    expect(leaks).toEqual([]);
  });

  it('decides nothing on headers the viewer sends (X-Channel-ID, X-Original-URI, X-Original-Path, X-Real-Path, X-Real-IP, X-Forwarded-For)', async () => {
    const allowListed = '198.51.100.7';
    await t.admin.post('/api/admin/access/ip-rules', { list: 'allow', range: allowListed });
    try {
      const forged: Array<Record<string, string>> = [
        { 'x-channel-id': 'free' },
        { 'x-original-uri': `/tv/free/index.m3u8?token=${basic.token}` },
        { 'x-original-path': '/tv/free/index.m3u8' },
        { 'x-real-path': '/tv/free/index.m3u8' },
        { 'x-session-id': '1' },
        { 'x-real-ip': allowListed },
        { 'x-forwarded-for': allowListed },
        { 'x-channel-id': 'free', 'x-original-uri': `/tv/free/index.m3u8?token=${basic.token}`, 'x-real-ip': allowListed, 'x-forwarded-for': allowListed },
      ];
      for (const headers of forged) {
        for (const query of [`?token=${basic.token}`, '']) {
          const answer = await rawGet(edge().url, `/tv/premium/index.m3u8${query}`, { 'user-agent': 'forger', ...headers });
          expect(is2xx(answer.status), `${JSON.stringify(headers)} ${query} → ${answer.status} ${answer.reason}`).toBe(false);
          expect(answer.body).not.toContain('PREMIUM');
        }
      }
    } finally {
      const rules = await t.admin.get('/api/admin/access/ip-rules');
      for (const rule of rules.body.filter((r: any) => r.range.startsWith(allowListed))) await t.admin.delete(`/api/admin/access/ip-rules/${rule.id}`);
    }
  });
});

describe('the documented fail-closed shim between Astra and the CAS', () => {
  const astraAsks = (shim: RunningNginx, query: string) =>
    rawGet(shim.url, `/auth/astra?${query}`, { 'x-real-ip': '192.0.2.80', 'x-channel-id': 'free', 'x-real-path': '/tv/free/index.m3u8', 'x-session-id': '77' });

  it('passes the CAS answer through while the CAS runs, and answers 403 when it is gone', async () => {
    const live = await startNginx(() => documentedNginxServer('location /auth/astra', `127.0.0.1:${new URL(t.cas.apiUrl).port}`), () => undefined);
    const nothingListens = await freePort();
    const gone = await startNginx(() => documentedNginxServer('location /auth/astra', `127.0.0.1:${nothingListens}`), () => undefined);
    try {
      expect((await astraAsks(live, `token=${basic.token}`)).status).toBe(200);
      const refused = await astraAsks(live, 'token=not-a-token-not-a-token-not-a-token');
      expect(refused.status).toBe(403);
      expect(refused.reason).toBe('bad_credential');
      const down = await astraAsks(gone, `token=${basic.token}`);
      expect(down.status).toBe(403);
      expect(down.reason).toBe('cas_unavailable');
    } finally {
      await live.stop();
      await gone.stop();
    }
  });
});
