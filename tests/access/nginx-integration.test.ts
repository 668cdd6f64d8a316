import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from './access-helpers';
import { documentedNginxServer, requireBinary, startNginx, type RunningNginx } from './real-nginx';

const SECURE_LINK_SECRET = 'nginx-secure-link-test-secret';

let t: TestCas;
let nginx: RunningNginx;
let viewer: any;
let player: any;
let ffmpeg: string;

/** Runs a player asynchronously: the CAS answering nginx lives in this same process. */
function play(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

beforeAll(async () => {
  ffmpeg = requireBinary('/usr/bin/ffmpeg', 'ffmpeg');
  t = await startTestCas();
  await patchSettings(t, { secureLinkSecret: SECURE_LINK_SECRET, sharingMaxAddresses: 0 });
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'] });
  await createChannel(t, { id: 'movies', name: 'Movies', number: 2, packages: ['premium'] });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
  player = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
  const casPort = new URL(t.cas.apiUrl).port;
  // The configuration documented in docs/streaming-servers.md, read from the page, pointed at this test's CAS.
  nginx = await startNginx(
    () => `${documentedNginxServer('location = /_cas_auth', `127.0.0.1:${casPort}`)}
    location /secure/ {
      secure_link $arg_md5,$arg_expires;
      secure_link_md5 "$secure_link_expires$uri$remote_addr ${SECURE_LINK_SECRET}";
      if ($secure_link = "") { return 403; }
      if ($secure_link = "0") { return 410; }
    }`,
    (webRoot) => {
      for (const channel of ['news', 'movies']) {
        const dir = join(webRoot, 'tv', channel);
        mkdirSync(dir, { recursive: true });
        const made = spawnSync(
          ffmpeg,
          ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', join(dir, 'index.m3u8')],
          { encoding: 'utf8' },
        );
        if (made.status !== 0) throw new Error(`ffmpeg could not make the test stream: ${made.stderr}`);
      }
      mkdirSync(join(webRoot, 'secure', 'news'), { recursive: true });
      writeFileSync(join(webRoot, 'secure', 'news', 'index.m3u8'), '#EXTM3U\n');
    },
  );
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await t?.dispose();
});

describe('real nginx with auth_request in front of a static HLS folder', () => {
  it('serves the playlist to an entitled token and refuses others with the status nginx maps', async () => {
    const ok = await fetch(`${nginx.url}/tv/news/index.m3u8?token=${viewer.token}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('#EXTM3U');
    const none = await fetch(`${nginx.url}/tv/movies/index.m3u8`, { headers: { 'user-agent': 'other-player' } });
    expect(none.status).toBe(401);
    const notEntitled = await fetch(`${nginx.url}/tv/movies/index.m3u8?token=${viewer.token}`);
    expect(notEntitled.status).toBe(403);
    expect(notEntitled.headers.get('x-cas-reason')).toBe('not_entitled');
  });

  it('lets ffmpeg play the whole stream (segments ride on the authorized session) and refuses it without a token', async () => {
    const played = await play(['-v', 'error', '-i', `${nginx.url}/tv/news/index.m3u8?token=${player.token}`, '-c', 'copy', '-f', 'null', '-']);
    expect(played.status, played.stderr).toBe(0);
    const segments = readdirSync(join(nginx.webRoot, 'tv', 'news')).filter((f) => f.endsWith('.ts'));
    expect(segments.length).toBeGreaterThanOrEqual(3);
    // The playlist and every segment went through auth_request and were allowed as the player's
    // account: the access log has the session's start, the session counts every request.
    const log = await t.admin.get(`/api/admin/access-log?account=${player.id}&result=allow&pageSize=100`);
    expect(log.body.total).toBeGreaterThanOrEqual(1);
    const sessions = await t.admin.get(`/api/admin/sessions?account=${player.id}`);
    expect(sessions.body.items.reduce((n: number, s: { requests: number }) => n + s.requests, 0)).toBeGreaterThanOrEqual(segments.length + 1);
    expect((await t.admin.get(`/api/admin/access-log?account=${player.id}&result=deny`)).body.total).toBe(0);
    const refused = await play(['-v', 'error', '-user_agent', 'stranger', '-i', `${nginx.url}/tv/news/index.m3u8`, '-c', 'copy', '-f', 'null', '-']);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/401/);
  });

  it('lets ffmpeg play the stream ticket the CAS playlist wrote (never the account token)', async () => {
    const listener = await createViewer(t, { packages: ['basic'], password: 'nginx-ticket-password', maxConnections: 1 });
    expect((await t.admin.patch('/api/admin/channels/news', { streamBaseUrl: nginx.url })).status).toBe(200);
    const playlist = (await t.client.get(`/playlist.m3u8?auth=${listener.username}:nginx-ticket-password`)).body as string;
    const url = playlist.split('\n').find((l) => l.startsWith(`${nginx.url}/tv/news/`))!;
    expect(url).toMatch(new RegExp(`\\?ticket=s${listener.id}\\.`));
    expect(playlist).not.toContain(listener.token);
    const played = await play(['-v', 'error', '-user_agent', 'ticket-player', '-i', url, '-c', 'copy', '-f', 'null', '-']);
    expect(played.status, played.stderr).toBe(0);
    const movies = await fetch(url.replace('/tv/news/', '/tv/movies/'));
    expect(movies.status).toBe(401);
    expect(movies.headers.get('x-cas-reason')).toBe('bad_credential');
  });

  it('refuses a second viewer over the connection limit', async () => {
    const second = await fetch(`${nginx.url}/tv/news/index.m3u8?token=${viewer.token}`, { headers: { 'user-agent': 'second-device' } });
    expect(second.status).toBe(403);
    expect(second.headers.get('x-cas-reason')).toBe('connection_limit');
  });
});

describe('real nginx secure_link', () => {
  it('accepts the links the CAS signs (200), refuses another address or a tampered path (403) and an expired link (410)', async () => {
    const signer = t.cas.services.urlSigner;
    const good = signer.signSecureLinkPath('/secure/news/index.m3u8', '127.0.0.1');
    expect((await fetch(`${nginx.url}${good}`)).status).toBe(200);
    const otherAddress = signer.signSecureLinkPath('/secure/news/index.m3u8', '127.0.0.2');
    expect((await fetch(`${nginx.url}${otherAddress}`)).status).toBe(403);
    const tampered = good.replace('/secure/news/', '/secure/news2/');
    expect((await fetch(`${nginx.url}${tampered}`)).status).toBe(403);
    const expired = signer.signSecureLinkPath('/secure/news/index.m3u8', '127.0.0.1', Math.floor(Date.now() / 1000) - 5);
    expect((await fetch(`${nginx.url}${expired}`)).status).toBe(410);
  });
});
