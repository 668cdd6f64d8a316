/**
 * The routes the benchmark measures: what each sends (a pool of requests that wrk sends in turn,
 * each one valid as a real peer would send it) and what a right answer is (checked once before
 * measuring, so a run never measures refusals by mistake). The floors are a bare Koa app and
 * nginx `return 200`; every other route is the CAS.
 */
import type { HttpRequestSpec } from './wrk';
import { signedAuthRequest } from '../../src-shared/client';
import { basicChannel, channelId, premiumChannel, streamPathOf, usernameOf, viewerIpOf } from './seed';

export type TargetName = 'koa' | 'nginx' | 'cas';

export interface CheckedResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** What the issue asks of a route (ratios at c32 to bare Koa; p99 at c128). */
export interface RouteTarget {
  minRatio?: number;
  /** p99 at c128 at most this many times bare Koa's p99 at c128. */
  maxP99VsKoa?: number;
}

export interface BenchRoute {
  name: string;
  label: string;
  target: TargetName;
  goal: RouteTarget;
  expectStatus: number;
  /** A further check of a right answer; returns what is wrong, or null. */
  check?: (response: CheckedResponse) => string | null;
  /** The requests of one run; called before every run when `freshPerRun` (single-use bodies). */
  pool(size: number): HttpRequestSpec[];
  freshPerRun?: boolean;
}

/** A signed-in device: what the ECM, EMM and sign-in routes send on its behalf. */
export interface BenchDevice {
  account: number;
  token: string;
  hwid: string;
  session: string;
}

/** Everything the CAS routes need, prepared once (see setup.ts). */
export interface RouteData {
  tokens: readonly string[];
  /** Disjoint account sets per route. */
  viewers: Record<'nginxAllowed' | 'nginxRefused' | 'astraAllowed' | 'astraRefused' | 'flussonicAllowed' | 'flussonicRefused' | 'hls' | 'playlist', number[]>;
  /** Key URIs as rewritten by `/hls` (path + `?ticket=k…`), one per viewer. */
  keyUris: string[];
  /** Devices whose sessions ECM and EMM requests carry. */
  devices: BenchDevice[];
  /** Other devices, which sign in again and again (so sign-ins never touch the sessions above). */
  signInDevices: BenchDevice[];
}

const PLAYER_UA = 'Lavf/59.27.100';
const cycle = <T>(items: readonly T[], size: number, make: (item: T, n: number) => HttpRequestSpec): HttpRequestSpec[] =>
  Array.from({ length: Math.min(size, items.length) }, (_, n) => make(items[n], n));
const reasonIs = (reason: string) => (r: CheckedResponse) =>
  r.headers.get('x-cas-reason') === reason ? null : `X-CAS-Reason ${r.headers.get('x-cas-reason')}, expected ${reason}`;
const AUTH_GOAL: RouteTarget = { minRatio: 0.6, maxP99VsKoa: 3 };

export function floorRoutes(): BenchRoute[] {
  return [
    { name: 'koa', label: 'bare Koa 3 + @koa/router "ok"', target: 'koa', goal: {}, expectStatus: 200, pool: () => [{ method: 'GET', path: '/' }] },
    { name: 'nginx', label: 'nginx `return 200`', target: 'nginx', goal: {}, expectStatus: 200, pool: () => [{ method: 'GET', path: '/ok' }] },
  ];
}

export function casRoutes(data: RouteData): BenchRoute[] {
  const { tokens, viewers } = data;
  const nginxAsk = (account: number, channel: number): HttpRequestSpec => ({
    method: 'GET',
    path: '/auth/nginx',
    // What the documented auth_request location sends: the viewer's own headers plus the overwritten ones.
    headers: {
      'User-Agent': PLAYER_UA,
      'X-Original-URI': `${streamPathOf(channel)}?token=${tokens[account]}`,
      'X-Original-Path': streamPathOf(channel),
      'X-Real-IP': viewerIpOf(account),
    },
  });
  const astraAsk = (account: number, channel: number): HttpRequestSpec => ({
    method: 'GET',
    path: `/auth/astra?token=${tokens[account]}`,
    headers: {
      'X-Real-IP': viewerIpOf(account),
      'X-Channel-ID': channelId(channel),
      'X-Session-ID': String(account + 1),
      'X-Real-Path': streamPathOf(channel),
      'X-Real-UA': PLAYER_UA,
      'X-Real-Host': 'astra.example:8000',
    },
  });
  const flussonicAsk = (account: number, channel: number): HttpRequestSpec => {
    const fields = new URLSearchParams({
      name: channelId(channel),
      proto: 'hls',
      ip: viewerIpOf(account),
      token: tokens[account],
      session_id: String(account + 1),
      request_type: 'update_session',
      request_number: '3',
      stream_clients: '1',
      total_clients: '100',
      duration: '30',
      bytes: '1048576',
      qs: `token=${tokens[account]}`,
      user_agent: PLAYER_UA,
      referer: '',
      host: 'flussonic.example',
    });
    return { method: 'GET', path: `/auth/flussonic?${fields.toString()}` };
  };
  const bearer = (device: BenchDevice) => ({ Authorization: `Bearer ${device.session}` });
  return [
    { name: 'healthz', label: 'CAS `/healthz`', target: 'cas', goal: { minRatio: 0.8 }, expectStatus: 200, pool: () => [{ method: 'GET', path: '/healthz' }] },
    {
      name: 'auth-nginx-allowed',
      label: '`/auth/nginx` allowed',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 200,
      pool: (size) => cycle(viewers.nginxAllowed, size, (a) => nginxAsk(a, basicChannel(a))),
    },
    {
      name: 'auth-nginx-refused',
      label: '`/auth/nginx` refused (not entitled)',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 403,
      check: reasonIs('not_entitled'),
      pool: (size) => cycle(viewers.nginxRefused, size, (a) => nginxAsk(a, premiumChannel(a))),
    },
    {
      name: 'auth-astra-allowed',
      label: '`/auth/astra` allowed',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 200,
      pool: (size) => cycle(viewers.astraAllowed, size, (a) => astraAsk(a, basicChannel(a))),
    },
    {
      name: 'auth-astra-refused',
      label: '`/auth/astra` refused (not entitled)',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 403,
      check: reasonIs('not_entitled'),
      pool: (size) => cycle(viewers.astraRefused, size, (a) => astraAsk(a, premiumChannel(a))),
    },
    {
      name: 'auth-flussonic-allowed',
      label: '`/auth/flussonic` allowed',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 200,
      pool: (size) => cycle(viewers.flussonicAllowed, size, (a) => flussonicAsk(a, basicChannel(a))),
    },
    {
      name: 'auth-flussonic-refused',
      label: '`/auth/flussonic` refused (not entitled)',
      target: 'cas',
      goal: AUTH_GOAL,
      expectStatus: 403,
      check: reasonIs('not_entitled'),
      pool: (size) => cycle(viewers.flussonicRefused, size, (a) => flussonicAsk(a, premiumChannel(a))),
    },
    {
      name: 'keys',
      label: '`/keys/<ch>/<period>` (key ticket)',
      target: 'cas',
      goal: { minRatio: 0.6 },
      expectStatus: 200,
      check: (r) => (r.body.length === 16 ? null : `${r.body.length} bytes, expected a 16-byte key`),
      pool: (size) => cycle(data.keyUris, size, (uri) => ({ method: 'GET', path: uri, headers: { 'User-Agent': PLAYER_UA } })),
    },
    {
      name: 'hls',
      label: '`/hls/<ch>/index.m3u8?token=…` (nginx origin)',
      target: 'cas',
      goal: { minRatio: 0.3 },
      expectStatus: 200,
      check: (r) => (/#EXT-X-KEY:.*\?ticket=k/.test(r.body.toString()) ? null : 'no rewritten key URI in the playlist'),
      pool: (size) =>
        cycle(viewers.hls, size, (a) => ({ method: 'GET', path: `/hls/${channelId(basicChannel(a))}/index.m3u8?token=${tokens[a]}`, headers: { 'User-Agent': PLAYER_UA } })),
    },
    {
      name: 'playlist',
      label: '`/playlist.m3u8` (200 channels)',
      target: 'cas',
      goal: { minRatio: 0.25 },
      expectStatus: 200,
      check: (r) => {
        const entries = r.body.toString().split('#EXTINF').length - 1;
        return entries === 200 ? null : `${entries} channels in the playlist, expected 200`;
      },
      // Each viewer from its own address through the trusted proxy (the playlist limit is per address).
      pool: (size) =>
        cycle(viewers.playlist, size, (a) => ({
          method: 'GET',
          path: `/playlist.m3u8?token=${tokens[a]}`,
          headers: { 'User-Agent': PLAYER_UA, 'X-Forwarded-For': viewerIpOf(a) },
        })),
    },
    {
      name: 'device-ecm',
      label: 'device ECM',
      target: 'cas',
      goal: { minRatio: 0.5 },
      expectStatus: 200,
      pool: (size) => cycle(data.devices, size, (d) => ({ method: 'GET', path: `/api/v1/client/ecm/${channelId(basicChannel(d.account))}`, headers: bearer(d) })),
    },
    {
      name: 'device-emm',
      label: 'device EMM',
      target: 'cas',
      goal: { minRatio: 0.5 },
      expectStatus: 200,
      pool: (size) => cycle(data.devices, size, (d) => ({ method: 'GET', path: '/api/v1/client/emm', headers: bearer(d) })),
    },
    {
      name: 'device-signin',
      label: 'device sign-in (HMAC, single-use nonces)',
      target: 'cas',
      goal: { minRatio: 0.05 },
      expectStatus: 200,
      freshPerRun: true,
      // Every sign-in needs a fresh nonce within the time window: a new pool of signed bodies per run.
      pool: (size) => {
        const ts = Math.floor(Date.now() / 1000);
        return Array.from({ length: size }, (_, n) => {
          const d = data.signInDevices[n % data.signInDevices.length];
          const body = signedAuthRequest({ username: usernameOf(d.account), token: d.token, hwid: d.hwid, ts });
          return { method: 'POST', path: '/api/v1/client/auth', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
        });
      },
    },
  ];
}
