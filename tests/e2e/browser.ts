import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const ROOT = resolve(__dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');
const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');

/** Flags for Debian's Chromium in a container (see docs/FIELD-NOTES). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The e2e tests drive the built dashboard: build it when it is missing or older than its sources
 * (a clean clone, or a change since the last build).
 */
export function ensureRendererBuilt(): void {
  const sources = Math.max(newestMtime(join(ROOT, 'src-renderer')), newestMtime(join(ROOT, 'src-shared')));
  if (existsSync(RENDERER_INDEX) && statSync(RENDERER_INDEX).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.mts', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    // vitest sets NODE_ENV=test, which vite would build into React's and antd's development code.
    env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
}

/** Debian's Chromium, headless. Fails (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install the Debian package "chromium" (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export async function newPage(browser: Browser, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: string[] = [];
  // CSP violations and uncaught errors are failures of the dashboard, whatever the test checks.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { context, page, problems };
}

/** Saves a screenshot (the window, or the whole page) as test-artifacts/<name>.png, for a human to look at. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  // Let animations (drawers, toasts) settle so the picture shows what the operator sees.
  await page.waitForTimeout(400);
  await page.screenshot({ path, fullPage });
  return path;
}

/**
 * Answers the unsaved-changes question with its discard button (`label`, in the page's language)
 * and waits until the drawer behind it has closed. The click waits until the question has taken
 * the focus and finished its opening zoom: under load a click during the zoom landed beside the
 * moving button.
 */
export async function discardChanges(page: Page, label: string): Promise<void> {
  const discard = page.locator('.ant-modal-confirm').getByRole('button', { name: label });
  await discard.waitFor();
  await page.waitForFunction(`document.activeElement?.textContent === ${JSON.stringify(label)}`);
  await page.locator('.ant-modal-confirm:not([class*="-appear"])').waitFor();
  await discard.click();
  await page.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
  await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
}

/** The tabs of one e2e test file (see `useChromium`). */
export interface ChromiumTabs {
  /** A new tab in its own context (`locale`: the browser's language); one open tab at a time. */
  open(locale?: string): Promise<Page>;
  /**
   * A tab signed in with the admin session `token`, the dashboard in `language`, opened at
   * `/admin/<path>`. The tab's storage is seeded once, so a reload keeps what the operator chose since.
   * `prepare` runs on the new tab before it loads anything (init scripts, listeners).
   */
  signedIn(adminUrl: string, token: string, options?: { language?: 'en' | 'de'; path?: string; locale?: string; prepare?: (page: Page) => Promise<void> }): Promise<Page>;
  /** Closes the open tab now (a test that opens another or stops a CAS it used). */
  close(): Promise<void>;
}

/**
 * One Chromium for the calling test file, and a fresh context per tab. After each test the tab is
 * closed, and a CSP violation or an uncaught page error in it fails that test.
 */
export function useChromium(): ChromiumTabs {
  let browser: Browser | undefined;
  let context: BrowserContext | null = null;
  let problems: string[] = [];
  beforeAll(async () => {
    ensureRendererBuilt();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await tabs.close();
    const seen = problems;
    problems = [];
    expect(seen).toEqual([]);
  });
  const tabs: ChromiumTabs = {
    async open(locale = 'en-US') {
      if (!browser) throw new Error('useChromium: the browser is not started (call useChromium at the top of the test file)');
      const opened = await newPage(browser, locale);
      context = opened.context;
      problems = opened.problems;
      return opened.page;
    },
    async signedIn(adminUrl, token, { language = 'en', path = '', locale, prepare } = {}) {
      const page = await tabs.open(locale ?? (language === 'de' ? 'de-DE' : 'en-US'));
      await prepare?.(page);
      await page.addInitScript(
        `if (!sessionStorage.getItem('cas.session')) { sessionStorage.setItem('cas.session', ${JSON.stringify(token)}); localStorage.setItem('cas.language', '${language}'); }`,
      );
      await page.goto(`${adminUrl}/admin/${path}`);
      await page.getByTestId('signed-in-user').waitFor();
      return page;
    },
    async close() {
      await context?.close();
      context = null;
    },
  };
  return tabs;
}
