import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasContext } from '../../src-main/kernel/context';
import { dashboardCsp, dashboardStatic } from '../../src-main/app/dashboard-static';

let root: string;
let base: string;
let server: ReturnType<Koa['listen']>;

function listen(app: Koa): Promise<string> {
  return new Promise((resolve) => {
    server = app.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

const ctx = { runtime: { apiUrl: 'http://127.0.0.1:8100' } } as unknown as CasContext;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cas-dashboard-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/admin/assets/app.js"></script>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  const app = new Koa();
  app.use(dashboardStatic(ctx, { rootDir: root }));
  app.use((koa) => {
    koa.body = 'api';
  });
  base = await listen(app);
});

afterAll(() => {
  server.close();
  rmSync(root, { recursive: true, force: true });
});

describe('dashboard static files', () => {
  it('serves index.html uncached with a CSP that allows scripts from this origin only', async () => {
    const answer = await fetch(`${base}/admin/`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    const csp = answer.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('connect-src \'self\' http://127.0.0.1:8100 http://localhost:8100');
  });

  it('caches hashed assets for a year and answers 404 for a missing one', async () => {
    const asset = await fetch(`${base}/admin/assets/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/admin/assets/gone.js`)).status).toBe(404);
  });

  it('answers client routes with the app and redirects /admin to /admin/', async () => {
    const route = await fetch(`${base}/admin/accounts/42`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<!doctype html>');
    const bare = await fetch(`${base}/admin`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/admin/');
  });

  it('does not serve files outside its folder', async () => {
    for (const path of ['/admin/..%2f..%2fetc%2fpasswd', '/admin/%2e%2e/%2e%2e/etc/passwd', '/admin/assets/..%2f..%2f..%2fetc%2fhosts.txt']) {
      const answer = await fetch(`${base}${path}`);
      const text = await answer.text();
      // Refused, answered with the app itself (a client route) or left to the API: never the file.
      expect(text).not.toContain('root:');
      expect(text).not.toContain('localhost');
      if (answer.status === 200) expect(['api', '<!doctype html>'].some((known) => text.startsWith(known))).toBe(true);
    }
  });

  it('leaves other paths to the API', async () => {
    expect(await (await fetch(`${base}/api/admin/status`)).text()).toBe('api');
  });

  it('says how to build the dashboard when it is missing', async () => {
    const app = new Koa();
    app.use(dashboardStatic(ctx, { rootDir: join(root, 'nothing-here') }));
    const other = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    try {
      const answer = await fetch(`http://127.0.0.1:${(other.address() as { port: number }).port}/admin/`);
      expect(answer.status).toBe(503);
      expect(await answer.text()).toContain('npm run build:renderer');
    } finally {
      other.close();
    }
  });

  it('builds its policy without inline scripts or remote hosts', () => {
    const csp = dashboardCsp([]);
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https?:)/);
  });
});
