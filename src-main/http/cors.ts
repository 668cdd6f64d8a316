import type { Context, Middleware } from 'koa';
import type { ApiRouter } from './api-router';

/**
 * Browser players (hls.js) and web clients load keys, playlists, logos and device answers from
 * another origin than the page. These answers carry nothing without a credential, and cookies are
 * never sent cross-origin with a wildcard, so any origin may read them; a preflight allows the
 * Authorization header. The only place that writes CORS headers.
 */
export function allowAnyOrigin(koa: Context): void {
  koa.set('Access-Control-Allow-Origin', '*');
}

/** Middleware for a router path: its answers, errors included, may be read by any origin. */
export const anyOrigin: Middleware = (koa, next) => {
  allowAnyOrigin(koa);
  return next();
};

/** What a preflight allows: by default a GET with a bearer and a byte range (players). */
interface PreflightRules {
  methods: string;
  headers: string;
}

const PLAYER_GETS: PreflightRules = { methods: 'GET, OPTIONS', headers: 'Authorization, Range' };

/** Answers the browser's preflight (`OPTIONS`) of these paths for any origin. */
export function registerPreflight(api: ApiRouter, paths: string | string[], rules: PreflightRules = PLAYER_GETS): void {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    api.router.options(path, (koa) => {
      allowAnyOrigin(koa);
      koa.set('Access-Control-Allow-Methods', rules.methods);
      koa.set('Access-Control-Allow-Headers', rules.headers);
      koa.set('Access-Control-Max-Age', '600');
      koa.status = 204;
    });
  }
}
