import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STREAMING_DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'streaming-servers.md'), 'utf8');

/**
 * The body of the `server { }` block docs/streaming-servers.md documents (the nginx block holding
 * `marker`), as an operator would copy it, pointed at `casAddress`; listen and root are the harness's.
 */
export function documentedNginxServer(marker: string, casAddress: string): string {
  const block = [...STREAMING_DOC.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes(marker));
  if (!block) throw new Error(`docs/streaming-servers.md has no nginx block with ${marker}`);
  return block
    .slice(block.indexOf('{') + 1, block.lastIndexOf('}'))
    .split('\n')
    .filter((line) => !/^\s*(listen|root)\s/.test(line))
    .join('\n')
    .replaceAll('CAS-HOST:8100', casAddress);
}

/** Fails (never skips) when a Debian peer is missing, naming the package to install. */
export function requireBinary(path: string, debianPackage: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: install the Debian package with "apt-get install ${debianPackage}"`);
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningNginx {
  url: string;
  prefix: string;
  webRoot: string;
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Runs Debian's nginx on 127.0.0.1 with a temp prefix (config, logs, temp paths, web root).
 * The web root is world-readable because nginx workers run as nobody. `serverBlock` receives
 * the web root and returns the body of the `server { ... }` block after `listen`.
 */
export async function startNginx(
  serverBlock: (webRoot: string) => string,
  prepareWebRoot: (webRoot: string) => void,
  options: { workerConnections?: number } = {},
): Promise<RunningNginx> {
  const nginx = requireBinary('/usr/sbin/nginx', 'nginx');
  const prefix = mkdtempSync(join(tmpdir(), 'cas-nginx-'));
  chmodSync(prefix, 0o755);
  const webRoot = join(prefix, 'www');
  for (const dir of ['conf', 'logs', 'tmp', 'www']) mkdirSync(join(prefix, dir), { recursive: true, mode: 0o755 });
  prepareWebRoot(webRoot);
  spawnSync('chmod', ['-R', 'a+rX', webRoot]);
  const port = await freePort();
  writeFileSync(
    join(prefix, 'conf', 'nginx.conf'),
    `worker_processes 1;
error_log ${prefix}/logs/error.log warn;
pid ${prefix}/logs/nginx.pid;
events { worker_connections ${options.workerConnections ?? 128}; }
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${port};
    root ${webRoot};
${serverBlock(webRoot)}
  }
}
`,
  );
  const child: ChildProcess = spawn(nginx, ['-p', prefix, '-c', join(prefix, 'conf', 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${stderr}`);
    try {
      await fetch(`${url}/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    prefix,
    webRoot,
    errorLog: () => {
      try {
        return readFileSync(join(prefix, 'logs', 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
