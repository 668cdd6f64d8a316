import { createCipheriv } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { launchChromium } from '../e2e/browser';
import { makePackage, makeSubscriber } from './device-helpers';
import type * as ClientLibrary from '../../src-shared/client';

/**
 * The reference client in a real browser (Debian's Chromium): bundled for the browser with no
 * Node built-ins, served from another origin than the CAS, it signs in (HMAC with @noble/hashes),
 * opens the EMM (sealed box) and the ECM, and decrypts an AES-128 segment with WebCrypto.
 */

let t: TestCas;
let browser: Browser;
let page: Server;
let pageUrl: string;

beforeAll(async () => {
  t = await startTestCas();
  const bundle = await build({
    entryPoints: [resolve(__dirname, '../../src-shared/client/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'CasStudioClient',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text;
  page = createServer((req, res) => {
    if (req.url === '/client.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>player</title><script src="/client.js"></script>');
    }
  });
  await new Promise<void>((ready) => page.listen(0, '127.0.0.1', ready));
  pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  page?.close();
  await t?.dispose();
});

describe('the reference client in Chromium', () => {
  it('signs in cross-origin, derives the control word through ECM/EMM and decrypts a segment with WebCrypto', async () => {
    const pkg = await makePackage(t, ['web-ch']);
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const { current } = t.cas.services.keys.controlWords.currentControlWords('web-ch');
    // 2 MPEG-TS packets (sync byte 0x47), encrypted as an HLS packager would.
    const clear = Buffer.alloc(376, 0xab);
    clear[0] = 0x47;
    clear[188] = 0x47;
    const cipher = createCipheriv('aes-128-cbc', current.key, current.iv);
    const encrypted = Buffer.concat([cipher.update(clear), cipher.final()]).toString('base64');

    const context = await browser.newContext();
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(pageUrl);
    const result = await tab.evaluate(
      async ({ baseUrl, username, token, encrypted, nowMs }) => {
        const lib = (globalThis as unknown as { CasStudioClient: typeof ClientLibrary }).CasStudioClient;
        const client = new lib.CasClient({
          baseUrl,
          username,
          token,
          hwid: 'WEB-PLAYER-1',
          deviceKeys: lib.generateDeviceKeyPair(),
          now: () => nowMs,
        });
        const auth = await client.auth();
        const word = await client.controlWord('web-ch');
        const bytes = Uint8Array.from(atob(encrypted), (c) => c.charCodeAt(0));
        const plain = await lib.decryptHlsSegment(bytes, word.key, word.iv);
        const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        return { channels: auth.streamInfo.channels.length, key: hex(word.key), first: plain[0], second: plain[188], length: plain.length };
      },
      { baseUrl: t.cas.apiUrl, username: sub.username, token: sub.token, encrypted, nowMs: t.clock.now() },
    );
    await context.close();
    expect(errors).toEqual([]);
    expect(result).toEqual({ channels: 1, key: current.key.toString('hex'), first: 0x47, second: 0x47, length: 376 });
  });
});
