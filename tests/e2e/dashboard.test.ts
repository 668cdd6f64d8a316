import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCas } from '../../src-main/app/cas';
import { KeyInfoWriter } from '../../src-main/keys/keyinfo-writer';
import { silentLogger } from '../../src-main/kernel/logger';
import { ADMIN_PASSWORD, startTestCas, type TestCas } from '../helpers/test-cas';
import { discardChanges, screenshot, useChromium } from './browser';
import { solidPng } from './png';

/**
 * The dashboard in Debian's Chromium against a real headless CAS (temp data folder, real HTTP).
 * Every test works in a fresh browser context (no CSP violation and no uncaught error allowed in
 * any) and saves a screenshot under test-artifacts/.
 */
let t: TestCas;
const tabs = useChromium();

beforeAll(async () => {
  t = await startTestCas();
}, 180_000);

afterAll(async () => {
  await t?.dispose();
});

/**
 * A page already signed in: the session token goes into the tab's storage before the app loads,
 * so only the sign-in test goes through the sign-in form (the login rate limit stays out of the way).
 */
async function signedIn(menu = '', username = 'admin', password = ADMIN_PASSWORD, language: 'en' | 'de' = 'en'): Promise<Page> {
  const token =
    username === 'admin'
      ? t.admin.token!
      : ((await t.anonymous.post('/api/admin/login', { username, password })).body.token as string);
  // English browser whatever the dashboard's language, as an operator who switched it.
  const page = await tabs.signedIn(t.cas.adminUrl, token, { language, locale: 'en-US' });
  if (menu) await page.getByRole('menuitem', { name: menu }).click();
  return page;
}

/**
 * Picks `option` in the antd select labelled `label` by clicking it in that select's own dropdown
 * (found through the listbox id, so a closing dropdown elsewhere never gets the click); searchable
 * selects are narrowed by typing first. Under load a click can land while the dropdown re-renders,
 * so it tries again until the select shows the option.
 */
async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  const root = input.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select ")][1]');
  const searchable = (await input.getAttribute('readonly')) === null;
  const listId = `${await input.getAttribute('id')}_list`;
  const exact = new RegExp(`^${option.replace(/[+]/g, '\\+')}$`);
  await vi.waitFor(
    async () => {
      await input.click();
      if (searchable) await input.fill(option);
      await page.locator(`.ant-select-dropdown:has([id="${listId}"]) .ant-select-item-option`, { hasText: exact }).click({ timeout: 3000 });
      await expect.poll(() => root.textContent(), { timeout: 2000 }).toContain(option);
    },
    { timeout: 20_000, interval: 200 },
  );
}

/** Waits until no drawer is open (its closing animation has ended). */
async function drawerClosed(page: Page): Promise<void> {
  await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
}

async function accountByName(username: string) {
  const answer = await t.admin.get(`/api/admin/accounts?q=${encodeURIComponent(username)}`);
  return answer.body.items.find((a: { username: string }) => a.username === username);
}

// Generous limits: the whole suite shares two cores, and a browser step waits for real rendering.
describe('dashboard in Chromium', { timeout: 120_000 }, () => {
  it('serves the dashboard under /admin with a strict CSP and no inline script', async () => {
    const answer = await t.anonymous.get('/admin/');
    expect(answer.status).toBe(200);
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(String(answer.body)).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(String(answer.body)).not.toMatch(/https?:\/\//);
    // Client routes fall back to the app; missing assets are real 404s.
    expect((await t.anonymous.get('/admin/accounts')).status).toBe(200);
    expect((await t.anonymous.get('/admin/assets/missing.js')).status).toBe(404);
  });

  it('signs in, and says until when an account is locked after repeated failures', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'locked-admin', password: 'locked-pass-1', role: 'admin' });
    for (let i = 0; i < 5; i++) await t.anonymous.post('/api/admin/login', { username: 'locked-admin', password: 'wrong-pass' });
    const page = await tabs.open();
    await page.goto(`${t.cas.adminUrl}/admin/`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Wrong username or password');

    await page.getByLabel('Username').fill('locked-admin');
    await page.getByLabel('Password').fill('locked-pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toMatch(/locked until \d\d:\d\d/);
    await screenshot(page, 'sign-in-lockout');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('server-status').waitFor();
    await expect(page.getByTestId('server-status').textContent()).resolves.toContain('Client API port');
    await screenshot(page, 'dashboard');
  });

  it('creates the first administrator on the first-run page of an empty data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cas-e2e-setup-'));
    const fresh = await startCas({ dataDir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger() });
    try {
      expect(fresh.needsSetup).toBe(true);
      const page = await tabs.open();
      await page.goto(`${fresh.adminUrl}/admin/`);
      await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
      await page.getByLabel('Username').fill('root-operator');
      await page.getByLabel('Password', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await page.getByText('At least 8 characters').waitFor();
      await page.getByLabel('Password', { exact: true }).fill('first-admin-pass');
      await page.getByLabel('Repeat password').fill('first-admin-pass');
      await screenshot(page, 'first-run');
      await page.getByRole('button', { name: 'Create administrator' }).click();
      await expect(page.getByTestId('signed-in-user').textContent()).resolves.toContain('root-operator');
      expect(fresh.services.sessions.hasAdmin()).toBe(true);
    } finally {
      await tabs.close();
      await fresh.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('creates an account with packages, shows field errors, filters, pages and edits', async () => {
    const seed = ['username,packages', ...Array.from({ length: 60 }, (_, i) => `seed-${String(i).padStart(2, '0')},basic`)].join('\n');
    expect((await t.admin.post('/api/admin/accounts/import', { csv: seed, dryRun: false })).body.created).toBe(60);
    const page = await signedIn('Accounts');
    await page.getByRole('button', { name: 'New account' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByLabel('Username').fill('x');
    await drawer.getByLabel('E-mail').fill('not-an-email');
    await drawer.getByRole('button', { name: 'Create' }).click();
    await drawer.getByText('At least 3 characters').waitFor();
    await drawer.getByText('Not a valid e-mail address').waitFor();
    await screenshot(page, 'account-field-errors');

    await drawer.getByLabel('Username').fill('e2e-viewer');
    await drawer.getByLabel('E-mail').fill('viewer@example.com');
    await chooseOption(page, 'Packages', 'Basic+');
    await chooseOption(page, 'Packages', 'Premium');
    await page.keyboard.press('Escape');
    await drawer.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Account created').waitFor();
    await drawerClosed(page);
    const created = await accountByName('e2e-viewer');
    expect(created.packages).toEqual(['basic-plus', 'premium']);
    expect(created.email).toBe('viewer@example.com');

    // A duplicate name is refused by the server and shown at the field.
    await page.getByRole('button', { name: 'New account' }).click();
    await drawer.getByLabel('Username').fill('E2E-VIEWER');
    await drawer.getByRole('button', { name: 'Create' }).click();
    await drawer.getByText('Username "E2E-VIEWER" is taken').waitFor();
    // The form holds an unsaved name: closing asks first.
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    await discardChanges(page, 'Discard changes');

    // Filter by package: only the new account holds Premium.
    await chooseOption(page, 'Package', 'Premium');
    const table = page.getByTestId('accounts-table');
    await expect.poll(async () => table.locator('tbody tr.ant-table-row').count()).toBe(1);
    await table.getByText('e2e-viewer').waitFor();
    await page.getByTestId('filter-package').locator('.ant-select-clear').click();
    // Clearing may open the filter's dropdown over the first rows: close it before clicking rows.
    await page.keyboard.press('Escape');
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').waitFor({ state: 'hidden' });

    // Page 2 at 50 a page shows the rest (60 seeded plus the accounts other tests made).
    const total = (await t.admin.get('/api/admin/accounts?pageSize=1')).body.total as number;
    expect(total).toBeGreaterThan(50);
    expect(total).toBeLessThanOrEqual(100);
    await expect.poll(async () => table.locator('tbody tr.ant-table-row').count()).toBe(50);
    await page.locator('.ant-pagination-item-2').click();
    await expect.poll(async () => table.locator('tbody tr.ant-table-row').count()).toBe(total - 50);
    await page.getByText(`Total: ${total}`).waitFor();

    // Text search, then edit.
    await page.getByLabel('Search name, e-mail, comment').fill('e2e-vi');
    await expect.poll(async () => table.locator('tbody tr.ant-table-row').count()).toBe(1);
    await table.getByTestId('account-e2e-viewer').click();
    await drawer.getByTestId('account-token').waitFor();
    await drawer.getByLabel('Max. connections').fill('3');
    await drawer.getByLabel('Comment').fill('edited in the browser');
    await screenshot(page, 'account-edit');
    await drawer.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor();
    const edited = await accountByName('e2e-viewer');
    expect(edited.maxConnections).toBe(3);
    expect(edited.comment).toBe('edited in the browser');
  });

  it('imports a CSV with one bad row: shows that row\'s errors, then imports the others', async () => {
    const page = await signedIn('Accounts');
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const csv = ['username,password,packages,expiresAt', 'csv-one,csv-pass-001,basic,2030-01-01', 'x,short,nope,yesterday', 'csv-two,,premium,'].join('\n');
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: 'subscribers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const preview = page.getByTestId('csv-preview');
    await preview.waitFor();
    await page.getByText('3 rows, 2 valid, 1 with errors').waitFor();
    await expect(preview.locator('tr', { hasText: 'Error' }).textContent()).resolves.toContain('At least 3 characters');
    expect(await accountByName('csv-one')).toBeUndefined();
    await screenshot(page, 'csv-import-preview');
    await page.getByTestId('csv-commit').click();
    await page.getByText('2 accounts imported').waitFor();
    expect((await accountByName('csv-one')).packages).toEqual(['basic']);
    expect((await accountByName('csv-two')).packages).toEqual(['premium']);
  });

  it('uploads a channel logo and shows it in the table', async () => {
    await t.admin.post('/api/admin/channels', { id: 'travel', name: 'Travel Channel', number: 7, packages: ['basic'] });
    const page = await signedIn('Channels');
    await page.getByTestId('channels-table').getByText('Travel Channel').click();
    const drawer = page.locator('.ant-drawer');
    await drawer.locator('input[type=file]').setInputFiles({ name: 'travel.png', mimeType: 'image/png', buffer: solidPng(64, 64, [40, 110, 200]) });
    await page.getByText('Logo uploaded').waitFor();
    const channel = (await t.admin.get('/api/admin/channels/travel')).body;
    expect(channel.logo).toMatch(/^\/logos\/travel/);
    // The preview in the drawer and the table load the image from the client listener.
    const image = drawer.getByTestId('logo-preview').locator('img');
    await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(64);
    await screenshot(page, 'channel-logo');
    await drawer.getByRole('button', { name: 'Cancel' }).click();
    const row = page.getByTestId('channels-table').locator('tr', { hasText: 'Travel Channel' });
    await expect.poll(() => row.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(64);
  });

  it('plays an AES-128 channel packaged by ffmpeg with keys from the CAS in the preview player, and shows the refusal for a viewer without the package', async () => {
    if (!existsSync('/usr/bin/ffmpeg')) throw new Error('ffmpeg is missing: install the Debian package "ffmpeg" (apt-get install ffmpeg)');
    const work = mkdtempSync(join(tmpdir(), 'cas-e2e-hls-'));
    const origin = join(work, 'origin');
    let writer: KeyInfoWriter | undefined;
    try {
      await t.admin.post('/api/admin/channels', { id: 'preview-tv', name: 'Preview TV', number: 90, packages: ['premium'], hlsOrigin: origin });
      await t.admin.post('/api/admin/accounts', { username: 'preview-ok', packages: ['premium'] });
      await t.admin.post('/api/admin/accounts', { username: 'preview-no', packages: ['basic'] });
      // The packager's side, as docs/keys.md tells it: a packager API key, the key info file kept
      // by the keyinfo writer (what `cas-studio keyinfo` runs), ffmpeg with periodic_rekey.
      const apiKey = (await t.admin.post('/api/admin/api-keys', { name: 'e2e-packager', scopes: ['packager'] })).body.key as string;
      writer = new KeyInfoWriter({ server: t.cas.apiUrl, apiKey, channel: 'preview-tv', dir: join(work, 'keys') });
      await writer.refresh();
      mkdirSync(origin);
      execFileSync('/usr/bin/ffmpeg', [
        '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p',
        '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_playlist_type', 'vod',
        '-hls_key_info_file', writer.keyInfoFile, '-hls_flags', 'periodic_rekey',
        '-hls_segment_filename', join(origin, 'seg%03d.ts'), join(origin, 'index.m3u8'),
      ]);
      expect(readFileSync(join(origin, 'index.m3u8'), 'utf8')).toMatch(new RegExp(`#EXT-X-KEY:METHOD=AES-128,URI="${t.cas.apiUrl}/keys/preview-tv/\\d+"`));
      const page = await signedIn('Channels');
      const keyAnswers: number[] = [];
      page.on('response', (response) => {
        if (new URL(response.url()).pathname.startsWith('/keys/preview-tv/')) keyAnswers.push(response.status());
      });
      await page.getByTestId('channels-table').getByText('Preview TV').click();
      const drawer = page.locator('.ant-drawer');
      await drawer.getByText('Preview player').click();

      await chooseOption(page, 'Play as account…', 'preview-no');
      await drawer.getByTestId('preview-play').click();
      await drawer.getByText('Playback failed').waitFor();
      await expect(drawer.locator('.ant-alert-error').textContent()).resolves.toContain('403');
      expect(keyAnswers.filter((status) => status === 200)).toEqual([]);

      await chooseOption(page, 'Play as account…', 'preview-ok');
      await drawer.getByTestId('preview-play').click();
      await drawer.getByText('Playing: keys and token work').waitFor({ timeout: 20_000 });
      const video = drawer.getByTestId('preview-video');
      await expect.poll(() => video.evaluate((v) => (v as unknown as { currentTime: number }).currentTime), { timeout: 15_000 }).toBeGreaterThan(0.3);
      // hls.js fetched the content key from the CAS key route and decrypted with it.
      expect(keyAnswers).toContain(200);
      await drawer.getByText(/key \d+ loaded/).waitFor();
      await video.scrollIntoViewIfNeeded();
      await screenshot(page, 'preview-player');
    } finally {
      writer?.stop();
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('rotates a channel key after confirmation and lists it in the history', async () => {
    await t.admin.post('/api/admin/channels', { id: 'news', name: 'News 24', number: 2, packages: ['basic'] });
    const page = await signedIn('Keys');
    await page.getByTestId('rotate-ecm-news').click();
    await page.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByText(/keys rotated/).waitFor();
    const history = page.getByTestId('rotation-history');
    await history.locator('tr', { hasText: 'manual' }).first().waitFor();
    await expect(history.locator('tr', { hasText: 'manual' }).first().textContent()).resolves.toContain('news');
    const rotations = await t.admin.get('/api/admin/keys/rotations?trigger=manual');
    expect(rotations.body.items.some((r: { channelId: string | null }) => r.channelId === 'news')).toBe(true);
    await screenshot(page, 'keys-rotation');
  });

  it('shows a live viewing session and ends it', async () => {
    await t.admin.post('/api/admin/channels', { id: 'sports', name: 'Sports', number: 3, packages: ['basic'] });
    const viewer = (await t.admin.post('/api/admin/accounts', { username: 'live-viewer', packages: ['basic'] })).body;
    const page = await signedIn();
    const viewersNow = page.getByTestId('viewers-now');
    await expect.poll(() => viewersNow.textContent()).toContain('0');
    const allowed = await t.client.get(`/auth/astra?token=${viewer.token}`, {
      'x-real-ip': '198.51.100.7',
      'x-channel-id': 'sports',
      'x-session-id': '4711',
    });
    expect(allowed.status).toBe(200);
    // The dashboard refreshes by itself (every 10 s): the viewer appears without a reload.
    await expect.poll(() => viewersNow.textContent(), { timeout: 20_000 }).toContain('1');
    await page.getByText('Sports').first().waitFor();
    await screenshot(page, 'dashboard-live');
    await page.getByRole('menuitem', { name: 'Sessions' }).click();
    const table = page.getByTestId('sessions-table');
    const row = table.locator('tr', { hasText: 'live-viewer' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('198.51.100.7');
    await screenshot(page, 'sessions-live');
    await row.getByRole('button', { name: 'End' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'End' }).click();
    await page.getByText('Session ended').waitFor();
    const sessions = await t.admin.get('/api/admin/sessions?state=active');
    expect(sessions.body.items.some((s: { username: string }) => s.username === 'live-viewer')).toBe(false);
    const refused = await t.client.get(`/auth/astra?token=${viewer.token}`, { 'x-real-ip': '198.51.100.7', 'x-channel-id': 'sports', 'x-session-id': '4711' });
    expect(refused.status).toBe(403);
  });

  it('lets an observer see everything but change nothing', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'e2e-observer', password: 'observer-pass-1', role: 'observer' });
    const page = await signedIn('Accounts', 'e2e-observer', 'observer-pass-1');
    await page.getByText('Read-only').waitFor();
    const table = page.getByTestId('accounts-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByRole('button', { name: 'New account' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Import CSV' }).count()).toBe(0);
    expect(await table.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await table.locator('.ant-table-selection-column').count()).toBe(0);
    await screenshot(page, 'observer-accounts');
    await table.locator('tbody tr.ant-table-row').first().getByRole('button', { name: 'View' }).click();
    const drawer = page.locator('.ant-drawer');
    await expect(drawer.getByLabel('Username').isDisabled()).resolves.toBe(true);
    expect(await drawer.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await drawer.getByRole('button', { name: 'New token' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'General' }).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await page.getByRole('menuitem', { name: 'Keys' }).click();
    await page.getByTestId('keys-table').waitFor();
    expect(await page.getByRole('button', { name: /Rotate/ }).count()).toBe(0);
    await screenshot(page, 'observer-keys');
  });

  it('shows every setting with a readable label and enum options in words, in English and in German', async () => {
    const page = await signedIn('Settings');
    const overLimit = page.locator('.ant-select-content', { has: page.locator('#overLimitPolicy') });
    await expect(overLimit.textContent()).resolves.toBe('Hand over (zapping allowed)');
    await screenshot(page, 'settings', true);
    await page.getByText('DE', { exact: true }).click();
    const allgemein = page.getByRole('form', { name: 'Allgemein' });
    await chooseOption(page, 'Über dem Verbindungslimit', 'Älteste Sitzung beenden');
    await expect(overLimit.textContent()).resolves.toBe('Älteste Sitzung beenden');
    await screenshot(page, 'german-settings', true);
    await allgemein.getByRole('button', { name: 'Speichern' }).click();
    await page.getByText('Gespeichert').waitFor();
    // Words on the screen, the same values in the settings document.
    expect((await t.admin.get('/api/admin/settings')).body.overLimitPolicy).toBe('end-oldest');
    expect((await t.admin.patch('/api/admin/settings', { overLimitPolicy: 'handover' })).status).toBe(200);
  });

  it('switches to German and remembers it after a reload', async () => {
    const page = await signedIn();
    await page.getByText('DE', { exact: true }).click();
    await page.getByRole('menuitem', { name: 'Konten' }).click();
    await page.getByRole('button', { name: 'Neues Konto' }).waitFor();
    await page.reload();
    await page.getByRole('menuitem', { name: 'Konten' }).waitFor();
    await page.getByRole('button', { name: 'CSV exportieren' }).waitFor();
    expect(await page.evaluate('localStorage.getItem("cas.language")')).toBe('de');
    await page.getByRole('button', { name: 'Neues Konto' }).click();
    await page.locator('.ant-drawer').getByLabel('Benutzername').fill('ab');
    await page.locator('.ant-drawer').getByRole('button', { name: 'Anlegen' }).click();
    await page.getByText('Mindestens 3 Zeichen').waitFor();
    await screenshot(page, 'german-accounts');
    // Esc on a changed form asks first, in German too.
    await page.keyboard.press('Escape');
    const question = page.locator('.ant-modal-confirm-title', { hasText: 'Ungespeicherte Änderungen verwerfen?' });
    await question.waitFor();
    expect(await question.count()).toBe(1);
    await discardChanges(page, 'Änderungen verwerfen');
    await page.getByRole('menuitem', { name: 'Übersicht' }).click();
    await page.getByText('Zuschauer jetzt').waitFor();
    await screenshot(page, 'german-dashboard');
  });

  it('confirms a bulk delete with the usernames and the count, never sweeping in operators, in English and German', async () => {
    for (const username of ['bulk-anna', 'bulk-bert', 'bulk-cleo']) await t.admin.post('/api/admin/accounts', { username });
    await t.admin.post('/api/admin/accounts', { username: 'bulk-night-op', password: 'night-op-pass-1', role: 'observer' });
    const texts = {
      de: { menu: 'Konten', search: 'Name, E-Mail, Kommentar suchen', del: 'Löschen…', title: '3 Konten löschen? Das kann nicht rückgängig gemacht werden.', no: 'Abbrechen' },
      en: { menu: 'Accounts', search: 'Search name, e-mail, comment', del: 'Delete…', title: 'Delete 3 accounts? This cannot be undone.', no: 'Cancel' },
    };
    for (const language of ['de', 'en'] as const) {
      const words = texts[language];
      const page = await signedIn(words.menu, 'admin', ADMIN_PASSWORD, language);
      await page.getByLabel(words.search).fill('bulk-');
      // The search applies after a short pause: select only once the list shows just the four.
      const rows = page.getByTestId('accounts-table').locator('tbody tr.ant-table-row');
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4);
      await page.getByTestId('accounts-table').getByText('bulk-night-op').waitFor();
      await page.getByTestId('accounts-table').locator('thead input[type=checkbox]').check();
      await page.getByTestId('bulk-actions').hover();
      await page.getByRole('menuitem', { name: words.del }).click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('.ant-modal-confirm-title', { hasText: words.title }).waitFor();
      const targets = dialog.getByTestId('bulk-targets');
      for (const username of ['bulk-anna', 'bulk-bert', 'bulk-cleo']) await targets.getByText(username).waitFor();
      expect(await targets.textContent()).not.toContain('bulk-night-op');
      await screenshot(page, `bulk-delete-confirm-${language}`);
      if (language === 'de') await dialog.getByRole('button', { name: words.no }).click();
      else await dialog.getByRole('button', { name: 'Delete' }).click();
      await tabs.close();
    }
    await vi.waitFor(async () => expect(await accountByName('bulk-anna')).toBeUndefined(), { timeout: 20_000 });
    expect(await accountByName('bulk-night-op')).toBeDefined();
  });
});
