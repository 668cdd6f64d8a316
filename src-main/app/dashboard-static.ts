import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Koa from 'koa';
import send from 'koa-send';
import type { CasContext } from '../kernel/context';

const DASHBOARD_BASE = '/admin';

/** The package root: the nearest folder above this module holding package.json (works from src-main and dist). */
function packageRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(start, '..', '..');
}

/** Where `npm run build:renderer` writes the dashboard. */
function defaultRendererDir(): string {
  return process.env.CAS_RENDERER_DIR ?? join(packageRoot(__dirname), 'dist', 'renderer');
}

/**
 * The dashboard's Content Security Policy: scripts only from this origin (no inline script, no
 * eval), nothing remote. `style-src 'unsafe-inline'` is needed by the component library's CSS-in-JS
 * (style elements at run time; styles cannot run code). The client listener is allowed for
 * `connect-src`/`media-src` so the preview player can play a channel through the CAS.
 */
export function dashboardCsp(clientOrigins: readonly string[]): string {
  const extra = clientOrigins.length ? ` ${clientOrigins.join(' ')}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${extra}`,
    "font-src 'self' data:",
    `connect-src 'self'${extra}`,
    `media-src 'self' blob:${extra}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Origins under which a browser on this machine reaches the client listener. */
function clientOrigins(apiUrl: string | null): string[] {
  if (!apiUrl) return [];
  try {
    const url = new URL(apiUrl);
    const origins = new Set([url.origin]);
    if (url.hostname === '127.0.0.1') origins.add(`http://localhost:${url.port}`);
    return [...origins];
  } catch {
    return [];
  }
}

/**
 * Serves the built renderer at `/admin` on the admin listener: hashed assets cached for a year,
 * `index.html` never cached, any other path under `/admin` answered with `index.html` (client
 * routing). Without a build, `/admin` says how to make one instead of a bare 404.
 */
export function dashboardStatic(ctx: CasContext, options: { rootDir?: string } = {}): Koa.Middleware {
  const root = options.rootDir ?? defaultRendererDir();
  return async (koa, next) => {
    const ours = koa.path === DASHBOARD_BASE || koa.path.startsWith(`${DASHBOARD_BASE}/`);
    if (!ours || (koa.method !== 'GET' && koa.method !== 'HEAD')) {
      await next();
      return undefined;
    }
    koa.set('Content-Security-Policy', dashboardCsp(clientOrigins(ctx.runtime.apiUrl)));
    koa.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (koa.path === DASHBOARD_BASE) {
      koa.redirect(`${DASHBOARD_BASE}/`);
      return undefined;
    }
    if (!existsSync(join(root, 'index.html'))) {
      koa.status = 503;
      koa.type = 'text/plain';
      koa.body = 'The dashboard is not built. Run: npm run build:renderer';
      return undefined;
    }
    const relative = koa.path.slice(DASHBOARD_BASE.length + 1);
    const isAsset = relative.startsWith('assets/');
    if (relative && relative !== 'index.html') {
      try {
        await send(koa, relative, {
          root,
          hidden: false,
          immutable: isAsset,
          maxage: isAsset ? 365 * 24 * 3600 * 1000 : 0,
        });
        if (koa.status === 200) return undefined;
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status !== 404 && status !== 400 && status !== 403) throw error;
      }
      // A missing file with an extension (a stale asset link) is a real 404; anything else is a route.
      if (isAsset || /\.[a-z0-9]+$/i.test(relative)) {
        koa.status = 404;
        koa.type = 'text/plain';
        koa.body = 'Not found';
        return undefined;
      }
    }
    await send(koa, 'index.html', { root });
    koa.set('Cache-Control', 'no-cache');
    return undefined;
  };
}
