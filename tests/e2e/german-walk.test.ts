import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src-renderer/src/shared/i18n/en';
import { de } from '../../src-renderer/src/shared/i18n/de';
import { ADMIN_PASSWORD, startTestCas, type TestCas } from '../helpers/test-cas';
import { discardChanges, screenshot, useChromium } from './browser';
import { PAGE_CHECKS } from './page-checks';

/**
 * The whole dashboard in German in Chromium: every side-menu page and tab, the create drawers,
 * server validation and conflict errors, a CSV import with bad rows and a wrong sign-in. Fails on
 * any English text on screen (the dashboard's English texts that differ in German, and every
 * English message the server sent), on words broken inside, cropped images, truncated selects
 * and headers, and on inputs that would show the browser's own (English) validation bubbles.
 */
let t: TestCas;
const tabs = useChromium();
/** English messages of the error answers the dashboard received (they must never be shown). */
const serverMessages = new Set<string>();

/** Brand names, codes and data that read the same in both languages. */
const SAME_IN_BOTH = new Set(['IPTV CAS Studio', 'CAS', 'HLS', 'M3U', 'CSV', 'API', 'URL', 'IP', 'ID', 'HWID', 'ECM', 'EMM', 'Astra', 'nginx', 'Flussonic']);

function leaves(value: unknown, out: Array<[string, string]> = [], prefix = ''): Array<[string, string]> {
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof child === 'string') out.push([path, child]);
    else leaves(child, out, path);
  }
  return out;
}

/** The English texts worth looking for: whole fragments between placeholders, not the same in German. */
function englishFragments(): string[] {
  const german = new Map(leaves(de));
  const fragments = new Set<string>();
  for (const [key, text] of leaves(en)) {
    if (german.get(key) === text) continue;
    for (const part of text.split(/\{\{\w+\}\}/)) {
      const fragment = part.trim().replace(/^[\s.,:;()"„“]+|[\s.,:;()"„“]+$/g, '');
      if (fragment.length < 4 || !/[a-z]{3}/i.test(fragment) || SAME_IN_BOTH.has(fragment)) continue;
      if ([...german.values()].some((g) => g === fragment)) continue;
      fragments.add(fragment);
    }
  }
  return [...fragments].sort((a, b) => b.length - a.length);
}
const ENGLISH = englishFragments();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** English fragments (whole words) found in a text, each with the line it is on. */
function englishIn(text: string): string[] {
  const found: string[] = [];
  for (const fragment of [...ENGLISH, ...serverMessages]) {
    const match = new RegExp(`(^|[^\\p{L}])${escapeRegExp(fragment)}([^\\p{L}]|$)`, 'mu').exec(text);
    if (!match) continue;
    const start = text.lastIndexOf('\n', match.index) + 1;
    const end = text.indexOf('\n', match.index + 1);
    found.push(`${fragment} in "${text.slice(start, end === -1 ? undefined : end).slice(0, 160)}"`);
  }
  return found;
}

const seen: Array<{ where: string; english: string[]; faults: string[] }> = [];

/** Checks what is on screen now, and keeps a screenshot of it. */
async function check(page: Page, where: string, shot = true): Promise<void> {
  const text = await page.evaluate<string>('window.casChecks.visibleText()');
  const english = englishIn(text);
  const layout = await page.evaluate<string[]>('window.casChecks.layoutFaults()');
  const native = await page.evaluate<string[]>('window.casChecks.nativeValidation()');
  const faults = [...layout, ...native.map((html) => `native validation: ${html}`)];
  seen.push({ where, english, faults });
  if (shot) await screenshot(page, `de-${where}`);
}

/** Makes a new tab check every page it loads (PAGE_CHECKS) and collect the server's error messages. */
async function watch(page: Page): Promise<void> {
  await page.addInitScript(PAGE_CHECKS);
  page.on('response', async (response) => {
    if (response.status() < 400 || !response.url().includes('/api/')) return;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      const message = body.error?.message?.replace(/^[\w.]+: /, '');
      if (message) serverMessages.add(message);
    } catch {
      // Not JSON: nothing the dashboard could show.
    }
  });
}

async function open(): Promise<Page> {
  const page = await tabs.open('de-DE');
  await watch(page);
  return page;
}

function signedInGerman(): Promise<Page> {
  return tabs.signedIn(t.cas.adminUrl, t.admin.token!, { language: 'de', prepare: watch });
}

/** Waits for lists and cards to finish loading. */
async function settled(page: Page): Promise<void> {
  await page.locator('main .ant-spin-spinning, main .ant-skeleton').first().waitFor({ state: 'detached', timeout: 20_000 });
}

async function closeDrawer(page: Page, drawer: Locator): Promise<void> {
  await drawer.getByRole('button', { name: 'Abbrechen' }).click();
  // A form with unsaved changes asks first; the question can appear a moment after the click.
  const closed = page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
  const asked = page
    .locator('.ant-modal-confirm')
    .waitFor()
    .then(() => 'asked' as const, () => 'not asked' as const);
  if ((await Promise.race([closed.then(() => 'closed' as const), asked])) === 'asked') await discardChanges(page, 'Änderungen verwerfen');
  await closed;
}

/** Opens every select outside drawers once, so truncated options are seen too. */
async function openSelects(page: Page, where: string): Promise<void> {
  const selects = page.locator('main .ant-select:visible');
  const count = await selects.count();
  for (let i = 0; i < count; i++) {
    const select = selects.nth(i);
    if (await select.evaluate((e) => e.classList.contains('ant-select-disabled'))) continue;
    await select.click();
    const dropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
    if (await dropdown.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await check(page, `${where}-select-${i}`, false);
      // The select itself is wide enough for its longest option, so a chosen value is never cut.
      const widest = await dropdown.evaluate<number, undefined>('(dropdown) => window.casChecks.widestOption(dropdown)');
      const room = await select.locator('.ant-select-content').evaluate((content) => content.clientWidth);
      if (widest > room + 1) seen.push({ where: `${where}-select-${i}`, english: [], faults: [`select narrower (${room}px) than its longest option (${widest}px)`] });
    }
    await page.keyboard.press('Escape');
    await dropdown.waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
  }
}

beforeAll(async () => {
  t = await startTestCas();
  // Something on every page: packages, channels, accounts, an IP rule.
  await t.admin.post('/api/admin/packages', { id: 'grundpaket', name: 'Grundpaket', description: 'Alle Basissender' });
  await t.admin.post('/api/admin/channels', { id: 'das-erste', name: 'Das Erste', number: 1, packages: ['grundpaket'] });
  await t.admin.post('/api/admin/accounts', { username: 'kunde-eins', packages: ['grundpaket'], comment: 'Stammkunde' });
  await t.admin.post('/api/admin/access/ip-rules', { list: 'deny', range: '203.0.113.0/24', comment: 'Testnetz' });
}, 180_000);

afterAll(async () => {
  await t?.dispose();
});

describe('the dashboard in German', { timeout: 600_000 }, () => {
  it('shows no English on any page, tab, drawer or error, and lays German words out whole', async () => {
    const page = await signedInGerman();
    const menu = page.locator('nav .ant-menu-item, aside .ant-menu-item');
    const entries = await menu.allTextContents();
    expect(entries.length).toBeGreaterThanOrEqual(8);
    for (const [index, entry] of entries.entries()) {
      await menu.nth(index).click();
      await settled(page);
      const where = `page-${index}`;
      await check(page, where);
      const tabs = page.locator('main .ant-tabs-tab');
      const tabCount = await tabs.count();
      for (let tab = 0; tab < tabCount; tab++) {
        await tabs.nth(tab).click();
        await settled(page);
        await check(page, `${where}-tab-${tab}`);
        await openSelects(page, `${where}-tab-${tab}`);
      }
      if (tabCount === 0) await openSelects(page, where);
      // Each create drawer: open, submit empty (the dashboard's own messages), close.
      const create = page.locator('main').getByRole('button', { name: /(^|\s)Neue[rs]?\s/ });
      for (let button = 0; button < (await create.count()); button++) {
        await create.nth(button).click();
        const drawer = page.locator('.ant-drawer-open');
        await drawer.waitFor();
        await drawer.getByRole('button', { name: 'Anlegen' }).click();
        await drawer.locator('.ant-form-item-explain-error').first().waitFor();
        await check(page, `${where}-drawer-${button}`);
        await closeDrawer(page, drawer);
      }
      expect(entry).not.toBe('');
    }

    // Server refusals, in German, at their fields: a conflict and a validation error.
    await page.getByRole('menuitem', { name: 'Pakete' }).click();
    await page.getByRole('button', { name: 'Neues Paket' }).click();
    let drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('ID', { exact: true }).fill('grundpaket');
    await drawer.getByLabel('Name', { exact: true }).fill('Noch ein Grundpaket');
    await drawer.getByRole('button', { name: 'Anlegen' }).click();
    await drawer.getByText('Ein Paket mit der ID „grundpaket“ gibt es schon.').waitFor();
    await check(page, 'package-exists');
    await closeDrawer(page, drawer);

    await page.getByRole('menuitem', { name: 'Konten' }).click();
    await page.getByRole('button', { name: 'Neues Konto' }).click();
    drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('Benutzername').fill('KUNDE-EINS');
    await drawer.getByRole('button', { name: 'Anlegen' }).click();
    await drawer.getByText('Der Benutzername „KUNDE-EINS“ ist vergeben.').waitFor();
    await check(page, 'username-taken');
    await closeDrawer(page, drawer);

    await page.getByRole('menuitem', { name: 'Sender' }).click();
    await page.getByRole('button', { name: 'Neuer Sender' }).click();
    drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('Sender-ID').fill('das-erste');
    await drawer.getByLabel('Name', { exact: true }).fill('Noch einmal');
    await drawer.getByRole('button', { name: 'Anlegen' }).click();
    await drawer.getByText('Einen Sender mit der ID „das-erste“ gibt es schon.').waitFor();
    await check(page, 'channel-exists');
    await closeDrawer(page, drawer);

    // A CSV import with bad rows and a bad cell in every kind of column.
    await page.getByRole('menuitem', { name: 'Konten' }).click();
    await page.getByRole('button', { name: 'CSV importieren' }).click();
    const csv = [
      'username,password,packages,maxConnections,expiresAt,email,enabled',
      'csv-gut,gutes-passwort-1,grundpaket,1,2030-12-31,gut@example.com,ja',
      'x,kurz,gibtsnicht,viele,gestern,keine-mail,vielleicht',
      'kunde-eins,,,,,,',
      'csv-gut,,,,,,',
    ].join('\n');
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: 'kunden.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('csv-preview').waitFor();
    await page.getByText('Gleicher Benutzername wie in Zeile 2').waitFor();
    await check(page, 'csv-import');
    await page.locator('.ant-modal').getByRole('button', { name: 'Abbrechen' }).click();

    // A conflict shown as a notification: a range that is already listed.
    await page.getByRole('menuitem', { name: 'Einstellungen' }).click();
    await page.getByRole('tab', { name: 'Zugang' }).click();
    await page.getByLabel('Adresse oder Netz').fill('203.0.113.0/24');
    await page.getByRole('button', { name: 'Hinzufügen' }).click();
    await page.getByText('203.0.113.0/24 steht schon auf der Liste „Sperre“.').waitFor();
    await check(page, 'ip-range-listed');

    const report = seen.filter((s) => s.english.length || s.faults.length);
    expect(report).toEqual([]);
  });

  it('says a wrong sign-in in German', async () => {
    const page = await open();
    await page.addInitScript(`if (!localStorage.getItem('cas.language')) localStorage.setItem('cas.language', 'de');`);
    await page.goto(`${t.cas.adminUrl}/admin/`);
    await page.getByLabel('Benutzername').fill('admin');
    await page.getByLabel('Passwort').fill('nicht-das-passwort');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByRole('alert').getByText('Benutzername oder Passwort falsch.').waitFor();
    seen.length = 0;
    await check(page, 'sign-in-wrong');
    expect(serverMessages).toContain('Wrong username or password');
    expect(seen.filter((s) => s.english.length || s.faults.length)).toEqual([]);
    // The same page in English, for comparison.
    await page.evaluate('localStorage.setItem("cas.language", "en")');
    await page.reload();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-user').waitFor();
    await screenshot(page, 'en-dashboard');
  });
});
