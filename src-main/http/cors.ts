import type { Context } from 'koa';
import type { ApiRouter } from './api-router';

/**
 * Browser players (hls.js) load keys and playlists from another origin than the page. These
 * answers carry nothing without a credential, and cookies are never sent cross-origin with a
 * wildcard, so any origin may read them; a preflight allows the Authorization header.
 */
export function allowAnyOrigin(koa: Context): void {
  koa.set('Access-Control-Allow-Origin', '*');
}

export function registerPreflight(api: ApiRouter, path: string): void {
  api.router.options(path, (koa) => {
    allowAnyOrigin(koa);
    koa.set('Access-Control-Allow-Methods', 'GET, OPTIONS');
    koa.set('Access-Control-Allow-Headers', 'Authorization, Range');
    koa.set('Access-Control-Max-Age', '600');
    koa.status = 204;
  });
}
