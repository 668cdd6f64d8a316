import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { launchChromium, newPage, ROOT } from '../e2e/browser';
import { packageCencStream, writeMultiPeriodMpd, type PackagerCencKey } from './dash-packaging';

/**
 * DASH + CENC + ClearKey end to end: Debian's ffmpeg packages a test stream with the CAS's CENC
 * keys (two periods, current and next key), the CAS serves the origin MPD rewritten through
 * /dash, and Shaka Player in Debian's Chromium plays it with the license from /clearkey.
 */

const SECONDS_PER_PERIOD = 3;
const SHAKA = join(ROOT, 'node_modules', 'shaka-player', 'dist', 'shaka-player.compiled.js');

const PAGE = `<!doctype html>
<html><body><video id="v" muted playsinline width="320" height="240"></video>
<script src="/shaka-player.compiled.js"></script>
<script>
  shaka.polyfill.installAll();
  window.errors = [];
  window.play = async (url) => {
    const video = document.getElementById('v');
    const player = new shaka.Player();
    await player.attach(video);
    player.addEventListener('error', (event) => window.errors.push(event.detail.code));
    try { await player.load(url); } catch (error) { window.errors.push(error.code); }
    video.play().catch(() => undefined);
  };
  window.state = () => {
    const video = document.getElementById('v');
    return { time: video.currentTime, frames: video.getVideoPlaybackQuality().totalVideoFrames, errors: window.errors };
  };
</script></body></html>`;

let t: TestCas;
let origin: string;
let pageServer: Server;
let pageUrl: string;
let browser: Browser;
let keys: { current: PackagerCencKey; next: PackagerCencKey };

interface PlayerState {
  time: number;
  frames: number;
  errors: number[];
}

async function openPlayer(): Promise<Page> {
  const { page } = await newPage(browser);
  await page.goto(pageUrl);
  await page.waitForFunction(() => typeof (globalThis as unknown as { play?: unknown }).play === 'function');
  return page;
}

function state(page: Page): Promise<PlayerState> {
  return page.evaluate(() => (globalThis as unknown as { state: () => PlayerState }).state());
}

async function play(page: Page, manifest: string, token: string): Promise<void> {
  await page.evaluate((url) => (globalThis as unknown as { play: (u: string) => Promise<void> }).play(url), `${t.cas.apiUrl}/dash/dtv/${manifest}?token=${encodeURIComponent(token)}`);
}

async function account(username: string, packages: string[]): Promise<{ id: number; token: string }> {
  return (await t.admin.post('/api/admin/accounts', { username, packages, maxConnections: 0 })).body;
}

/** Plays with the license request passing `beforeLicense` first; expects Shaka's 6007 (license refused). */
async function expectLicenseRefused(token: string, beforeLicense: (headers: Record<string, string>) => Record<string, string> | Promise<Record<string, string>>): Promise<void> {
  const page = await openPlayer();
  await page.route('**/clearkey/**', async (route) => route.continue({ headers: await beforeLicense(route.request().headers()) }));
  await play(page, 'single.mpd', token);
  await page.waitForFunction(() => (globalThis as unknown as { errors: number[] }).errors.length > 0, undefined, { timeout: 20_000 });
  expect((await state(page)).errors).toContain(6007);
  await page.context().close();
}

beforeAll(async () => {
  t = await startTestCas();
  origin = mkdtempSync(join(tmpdir(), 'cas-dash-e2e-'));
  await t.admin.post('/api/admin/channels', { id: 'dtv', name: 'DASH TV', packages: ['basic'], hlsOrigin: origin });
  const packager = t.client.withToken((await t.admin.post('/api/admin/api-keys', { name: 'dash encoder', scopes: ['packager'] })).body.key);
  keys = (await packager.get('/api/v1/packager/dtv/cenc')).body;
  packageCencStream(join(origin, 'p1'), keys.current, SECONDS_PER_PERIOD);
  packageCencStream(join(origin, 'p2'), keys.next, SECONDS_PER_PERIOD);
  writeMultiPeriodMpd(origin, 'rotating.mpd', [
    { folder: 'p1', keyId: keys.current.keyId, seconds: SECONDS_PER_PERIOD },
    { folder: 'p2', keyId: keys.next.keyId, seconds: SECONDS_PER_PERIOD },
  ]);
  writeMultiPeriodMpd(origin, 'single.mpd', [{ folder: 'p1', keyId: keys.current.keyId, seconds: SECONDS_PER_PERIOD }]);
  const shaka = readFileSync(SHAKA);
  pageServer = createServer((req, res) => {
    if (req.url === '/shaka-player.compiled.js') {
      res.setHeader('content-type', 'text/javascript');
      return void res.end(shaka);
    }
    res.setHeader('content-type', 'text/html');
    res.end(PAGE);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  // A secure context (EME's ClearKey needs one) on another origin than the CAS: CORS is exercised.
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  pageServer?.close();
  await t?.dispose();
  rmSync(origin, { recursive: true, force: true });
});

describe('Shaka Player in Chromium through /dash and /clearkey', () => {
  it('plays a CENC stream across a key rotation (two periods, two KIDs): time advances, frames decoded', async () => {
    const viewer = await account('shakaviewer', ['basic']);
    const page = await openPlayer();
    const licenses: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/clearkey/dtv/license') && request.method() === 'POST') licenses.push(request.postData() ?? '');
    });
    await play(page, 'rotating.mpd', viewer.token);
    await page.waitForFunction(
      (past) => {
        const s = (globalThis as unknown as { state: () => PlayerState }).state();
        return s.errors.length > 0 || (s.time > past && s.frames > 0);
      },
      SECONDS_PER_PERIOD + 1,
      { timeout: 30_000 },
    );
    const played = await state(page);
    expect(played.errors).toEqual([]);
    expect(played.time).toBeGreaterThan(SECONDS_PER_PERIOD + 1);
    expect(played.frames).toBeGreaterThan(0);
    // One license per period's KID.
    const asked = licenses.flatMap((body) => (JSON.parse(body) as { kids: string[] }).kids);
    const kid = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');
    expect(new Set(asked)).toEqual(new Set([kid(keys.current.kid), kid(keys.next.kid)]));
    await page.context().close();
  }, 60_000);

  it('refuses the license to a viewer without the package (Shaka error 6007)', async () => {
    const viewer = await account('shakaticketholder', ['basic']);
    const outsider = await account('shakaoutsider', ['premium']);
    await expectLicenseRefused(viewer.token, (headers) => ({ ...headers, authorization: `Bearer ${outsider.token}` }));
  }, 60_000);

  it('refuses the license once the account is disabled (Shaka error 6007)', async () => {
    const viewer = await account('shakadisabled', ['basic']);
    await expectLicenseRefused(viewer.token, async (headers) => {
      await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { enabled: false });
      return headers;
    });
  }, 60_000);

  it('refuses the license on an expired ticket (Shaka error 6007)', async () => {
    const viewer = await account('shakaexpired', ['basic']);
    await expectLicenseRefused(viewer.token, (headers) => {
      t.clock.advance((t.cas.ctx.settings.get().hlsKeyTicketSeconds + 1) * 1000);
      return headers;
    });
  }, 60_000);
});
