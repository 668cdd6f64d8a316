import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, TestClock, type TestCas } from '../helpers/test-cas';
import { createLogger } from '../../src-main/kernel/logger';

/**
 * End to end with the real ffmpeg from Debian: ffmpeg packages a generated stream into AES-128
 * HLS with 2-second crypto periods through `cas-studio keyinfo`, then plays it back as a viewer,
 * through the key server with a bearer header and through the `/hls/...` rewriting with a
 * `?token=` only. Every ffmpeg run is a few seconds and bounded by a timeout.
 */

const FFMPEG = '/usr/bin/ffmpeg';
const NGINX = '/usr/sbin/nginx';
const SECURE_LINK_SECRET = 'secure-link-secret-for-tests';
const ROOT = resolve(__dirname, '../..');
const STREAM_SECONDS = 6;
const FRAMES = STREAM_SECONDS * 25;

/** Real time: ffmpeg runs in real time, so the CAS must agree with it on the period. */
class WallClock extends TestClock {
  override now(): number {
    return Date.now();
  }
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function requireFfmpeg(): void {
  if (!existsSync(FFMPEG) || spawnSync(FFMPEG, ['-version']).status !== 0) {
    throw new Error('ffmpeg is missing: install the Debian package "ffmpeg" (apt-get install ffmpeg)');
  }
}

function requireNginx(): void {
  if (!existsSync(NGINX)) throw new Error('nginx is missing: install the Debian package "nginx" (apt-get install nginx)');
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * nginx as the edge, in the foreground as this user: `/origin/` serves the packager's folder
 * with nginx secure_link on segments (as the CAS documents it), `/plain/` the same folder open.
 */
async function startNginx(wwwRoot: string, dir: string): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  for (const sub of ['client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${port};
    root ${wwwRoot};
    location /origin/ {
      location ~ [.]ts$ {
        secure_link $arg_md5,$arg_expires;
        secure_link_md5 "$secure_link_expires$uri$remote_addr ${SECURE_LINK_SECRET}";
        if ($secure_link = "") { return 403; }
        if ($secure_link = "0") { return 410; }
      }
    }
    location /plain/ { alias ${join(wwwRoot, 'origin')}/; }
  }
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`${url}/plain/`);
      break;
    } catch {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`nginx did not start: ${errors}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

function run(command: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Plays a playlist and counts the decoded frames (framemd5 lines); -xerror stops at the first error. */
async function play(input: string, extra: string[] = []): Promise<Run & { frames: number }> {
  const result = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-xerror', ...extra, '-i', input, '-map', '0:v', '-f', 'framemd5', '-'], 30_000);
  const frames = result.stdout.split('\n').filter((line) => /^\d+,/.test(line)).length;
  return { ...result, frames };
}

let t: TestCas;
let work: string;
let originDir: string;
let nginx: { url: string; stop: () => void };
let keyDir: string;
let apiKey: string;
const tokens: Record<string, string> = {};
const requestLog: Array<{ path?: string; status?: number }> = [];

function logCapture(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        try {
          const entry = JSON.parse(line) as { msg?: string; path?: string; status?: number };
          if (entry.msg === 'request') requestLog.push({ path: entry.path, status: entry.status });
        } catch {
          // not a JSON line
        }
      }
      callback();
    },
  });
}

beforeAll(async () => {
  requireFfmpeg();
  requireNginx();
  work = mkdtempSync(join(tmpdir(), 'cas-ffmpeg-'));
  originDir = join(work, 'www', 'origin');
  keyDir = join(work, 'keys');
  mkdirSync(originDir, { recursive: true });
  nginx = await startNginx(join(work, 'www'), join(work, 'nginx'));
  t = await startTestCas({ clock: new WallClock(), logger: createLogger({ level: 'debug', destination: logCapture() }) });
  const channel = await t.admin.post('/api/admin/channels', {
    id: 'live',
    name: 'Live',
    packages: ['basic'],
    cryptoPeriodSeconds: 2,
    hlsOrigin: originDir,
  });
  expect(channel.status).toBe(201);
  const past = new Date(Date.now() - 86_400_000).toISOString();
  const accounts = {
    viewer: { packages: ['basic'] },
    disabled: { packages: ['basic'], enabled: false },
    expired: { packages: ['basic'], expiresAt: past },
    outsider: { packages: ['premium'] },
  };
  for (const [username, fields] of Object.entries(accounts)) {
    const created = await t.admin.post('/api/admin/accounts', { username, maxConnections: 0, ...fields });
    expect(created.status).toBe(201);
    tokens[username] = created.body.token;
  }
  const key = await t.admin.post('/api/admin/api-keys', { name: 'ffmpeg', scopes: ['packager'] });
  apiKey = key.body.key;
});

afterAll(async () => {
  nginx?.stop();
  await t?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('ffmpeg as the packager, through cas-studio keyinfo', () => {
  it('encodes AES-128 HLS whose playlist carries at least two different key URIs and no plain TS', async () => {
    const keyinfo: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/main.ts', 'keyinfo', '--server', t.cas.apiUrl, '--api-key', apiKey, '--channel', 'live', '--dir', keyDir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let keyinfoOutput = '';
    keyinfo.stdout!.on('data', (d: Buffer) => (keyinfoOutput += d.toString()));
    keyinfo.stderr!.on('data', (d: Buffer) => (keyinfoOutput += d.toString()));
    try {
      const keyInfoFile = join(keyDir, 'live.keyinfo');
      await waitFor(() => existsSync(keyInfoFile), 20_000, `the key info file (cas-studio keyinfo said: ${keyinfoOutput})`);
      const lines = readFileSync(keyInfoFile, 'utf8').trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${t.cas.apiUrl}/keys/live/\\d+$`));
      expect(readFileSync(lines[1])).toHaveLength(16);
      expect(lines[2]).toMatch(/^[0-9a-f]{32}$/);

      const encode = await run(
        FFMPEG,
        [
          '-hide_banner', '-nostdin', '-v', 'error', '-re',
          '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25',
          '-t', String(STREAM_SECONDS),
          '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p',
          '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
          '-hls_key_info_file', keyInfoFile, '-hls_flags', 'periodic_rekey',
          '-hls_segment_filename', join(originDir, 'seg%03d.ts'),
          join(originDir, 'index.m3u8'),
        ],
        30_000,
      );
      expect(encode.stderr).toBe('');
      expect(encode.code).toBe(0);
    } finally {
      keyinfo.kill('SIGTERM');
    }

    const playlist = readFileSync(join(originDir, 'index.m3u8'), 'utf8');
    const keyUris = [...playlist.matchAll(/#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(keyUris).size).toBeGreaterThanOrEqual(2);
    for (const uri of keyUris) expect(uri).toMatch(new RegExp(`^${t.cas.apiUrl}/keys/live/\\d+$`));
    const segments = readdirSync(originDir).filter((f) => f.endsWith('.ts'));
    expect(segments.length).toBeGreaterThanOrEqual(STREAM_SECONDS - 1);
    for (const segment of segments) {
      const bytes = readFileSync(join(originDir, segment));
      // Plain MPEG-TS has the sync byte 0x47 at every 188-byte packet; AES-128 output does not.
      expect(bytes.length % 16).toBe(0);
      expect(bytes[0] === 0x47 && bytes[188] === 0x47 && bytes[376] === 0x47).toBe(false);
    }
  }, 60_000);
});

describe('ffmpeg as the player', () => {
  it('decodes every segment with a valid bearer credential sent to the key server', async () => {
    const before = requestLog.length;
    const result = await play(`${nginx.url}/plain/index.m3u8`, ['-headers', `Authorization: Bearer ${tokens.viewer}\r\n`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.frames).toBe(FRAMES);
    const keyPaths = new Set(requestLog.slice(before).filter((r) => r.path?.startsWith('/keys/live/') && r.status === 200).map((r) => r.path));
    expect(keyPaths.size).toBeGreaterThanOrEqual(2);
  }, 40_000);

  for (const who of ['wrong', 'disabled', 'expired', 'outsider'] as const) {
    it(`is refused a key (403) and exits non-zero with a ${who} credential`, async () => {
      const token = who === 'wrong' ? 'not-a-real-token-at-all-0000000000' : tokens[who];
      const before = requestLog.length;
      const result = await play(`${nginx.url}/plain/index.m3u8`, ['-headers', `Authorization: Bearer ${token}\r\n`]);
      expect(result.code).not.toBe(0);
      expect(result.frames).toBe(0);
      const keyRequests = requestLog.slice(before).filter((r) => r.path?.startsWith('/keys/live/'));
      expect(keyRequests.length).toBeGreaterThan(0);
      expect(keyRequests.every((r) => r.status === 403)).toBe(true);
    }, 40_000);
  }

  it('plays /hls/<channel>/index.m3u8?token=... alone: every rewritten URI works across a key rotation', async () => {
    const before = requestLog.length;
    const url = `${t.cas.apiUrl}/hls/live/index.m3u8?token=${encodeURIComponent(tokens.viewer)}`;
    const result = await play(url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.frames).toBe(FRAMES);
    const served = requestLog.slice(before);
    const keyPaths = new Set(served.filter((r) => r.path?.startsWith('/keys/live/') && r.status === 200).map((r) => r.path));
    expect(keyPaths.size).toBeGreaterThanOrEqual(2);
    expect(served.filter((r) => r.path?.startsWith('/hls/live/seg') && r.status === 200).length).toBeGreaterThanOrEqual(STREAM_SECONDS - 1);
    expect(served.every((r) => r.status === 200)).toBe(true);
  }, 40_000);

  it('is refused through /hls with a non-entitled token, and exits non-zero', async () => {
    const result = await play(`${t.cas.apiUrl}/hls/live/index.m3u8?token=${encodeURIComponent(tokens.outsider)}`);
    expect(result.code).not.toBe(0);
    expect(result.frames).toBe(0);
  }, 40_000);

  it('still decodes every segment after the server restarts: the same period gives the same key', async () => {
    t = await t.restart();
    const result = await play(`${t.cas.apiUrl}/hls/live/index.m3u8?token=${encodeURIComponent(tokens.viewer)}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.frames).toBe(FRAMES);
  }, 40_000);

  it('plays an HTTP origin through /hls with segments signed for nginx secure_link', async () => {
    const settings = await t.admin.patch('/api/admin/settings', { secureLinkSecret: SECURE_LINK_SECRET });
    expect(settings.status).toBe(200);
    const channel = await t.admin.patch('/api/admin/channels/live', { hlsOrigin: `${nginx.url}/origin/`, urlSigning: 'nginx-secure-link' });
    expect(channel.status).toBe(200);
    const unsigned = await fetch(`${nginx.url}/origin/seg000.ts`);
    expect(unsigned.status).toBe(403);
    const playlist = await t.client.get(`/hls/live/index.m3u8?token=${encodeURIComponent(tokens.viewer)}`);
    expect(playlist.status).toBe(200);
    expect(playlist.body).toMatch(new RegExp(`^${nginx.url}/origin/seg000\\.ts\\?md5=[A-Za-z0-9_-]+&expires=\\d+$`, 'm'));
    const result = await play(`${t.cas.apiUrl}/hls/live/index.m3u8?token=${encodeURIComponent(tokens.viewer)}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.frames).toBe(FRAMES);
  }, 40_000);
});
