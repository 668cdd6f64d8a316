/**
 * The processes the benchmark measures: a bare Koa app, nginx (`return 200`, and the HLS origin
 * `/hls` reads from), and the CAS itself as `node bin/cas-studio.js serve` on the built dist.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { startNginx } from '../../tests/access/real-nginx';
import { startReadyProcess, type ReadyProcess } from './processes';
import { CHANNEL_COUNT, channelId } from './seed';

export const projectRoot = join(__dirname, '..', '..');
const NGINX = '/usr/sbin/nginx';
const DIST_ENTRY = join(projectRoot, 'dist', 'src-main', 'cli', 'main.js');

export interface RunningTarget {
  baseUrl: string;
  pid: number;
  stop: () => Promise<void>;
}

export async function startBareKoa(): Promise<RunningTarget> {
  const koa = await startReadyProcess('bare Koa', process.execPath, ['--import', 'tsx', join(__dirname, 'bare-koa-app.ts')], /listening (\d+)/, { cwd: projectRoot });
  return { baseUrl: `http://127.0.0.1:${koa.ready[1]}`, pid: koa.child.pid!, stop: koa.stop };
}

/** Where the channels' HLS playlists are served from: nginx when installed, else a small Node origin. */
export interface HlsOrigin {
  /** `<base>/live/<channel>/` is a channel's `hlsOrigin`. */
  baseUrl: string;
  webRoot: string;
  /** nginx `return 200` at `/ok`, when nginx is installed. */
  nginx: RunningTarget | null;
  stop: () => Promise<void>;
}

export async function startOrigin(scratch: string): Promise<HlsOrigin> {
  if (existsSync(NGINX)) {
    const nginx = await startNginx(
      () => `    location = /ok { default_type text/plain; return 200 "ok"; }\n    location /live/ { }\n`,
      (webRoot) => mkdirSync(join(webRoot, 'live'), { recursive: true }),
      { workerConnections: 1024 },
    );
    const pid = Number(readFileSync(join(nginx.prefix, 'logs', 'nginx.pid'), 'utf8').trim());
    const stop = () => nginx.stop();
    return { baseUrl: nginx.url, webRoot: nginx.webRoot, nginx: { baseUrl: nginx.url, pid, stop }, stop };
  }
  console.log(`${NGINX} is not installed ("apt-get install nginx"): no nginx floor, /hls reads from a Node origin`);
  const webRoot = join(scratch, 'origin');
  mkdirSync(join(webRoot, 'live'), { recursive: true });
  const server = createServer((req, res) => {
    const file = normalize(join(webRoot, decodeURIComponent(new URL(req.url ?? '/', 'http://origin').pathname)));
    if (!file.startsWith(webRoot)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${port}`, webRoot, nginx: null, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A live-like media playlist per channel: six 6-second segments, keyed by the CAS for `period`. */
export function writeOriginPlaylists(origin: HlsOrigin, casUrl: string, period: number): void {
  const sequence = 100_000;
  for (let c = 0; c < CHANNEL_COUNT; c++) {
    const dir = join(origin.webRoot, 'live', channelId(c));
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:6', `#EXT-X-MEDIA-SEQUENCE:${sequence}`];
    lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${casUrl}/keys/${channelId(c)}/${period}",IV=0x${period.toString(16).padStart(32, '0')}`);
    for (let s = 0; s < 6; s++) lines.push('#EXTINF:6.000,', `seg${sequence + s}.ts`);
    const file = join(dir, 'index.m3u8');
    writeFileSync(file, `${lines.join('\n')}\n`);
    chmodSync(file, 0o644);
  }
}

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist (tsc) when it is missing or older than the sources, so the CAS measured is the code checked out. */
export function ensureBuiltCas(): void {
  const built = existsSync(DIST_ENTRY) ? statSync(DIST_ENTRY).mtimeMs : 0;
  const sources = Math.max(newestSourceTime(join(projectRoot, 'src-main')), newestSourceTime(join(projectRoot, 'src-shared')));
  if (built >= sources) return;
  console.log('dist is missing or older than the sources: building it (tsc -p tsconfig.build.json) …');
  const tsc = spawnSync(process.execPath, [join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: projectRoot, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('building dist failed');
}

export interface CasProcess extends RunningTarget {
  process: ReadyProcess;
}

/** `node [nodeArgs] bin/cas-studio.js serve` on loopback ephemeral ports, ready at its "client API" line. */
export async function startCasProcess(dataDir: string, nodeArgs: string[] = []): Promise<CasProcess> {
  const args = [...nodeArgs, join(projectRoot, 'bin', 'cas-studio.js'), 'serve', '--data-dir', dataDir, '--admin-port', '0', '--api-port', '0', '--api-host', '127.0.0.1', '--log-format', 'json'];
  const cas = await startReadyProcess('the CAS', process.execPath, args, /client API (http:\/\/127\.0\.0\.1:\d+)/, { cwd: projectRoot });
  return { baseUrl: cas.ready[1], pid: cas.child.pid!, stop: cas.stop, process: cas };
}
