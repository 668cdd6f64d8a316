import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { ensureRendererBuilt, launchChromium, newPage, screenshot } from './browser';
import { packageCencStream } from '../dash/dash-packaging';

/** The dashboard's preview player plays a DASH/CENC channel through /dash and the ClearKey license route. */

let t: TestCas;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  ensureRendererBuilt();
  t = await startTestCas();
  origin = mkdtempSync(join(tmpdir(), 'cas-e2e-dash-'));
  await t.admin.post('/api/admin/channels', { id: 'dash-tv', name: 'DASH TV', number: 91, packages: ['premium'], hlsOrigin: origin });
  await t.admin.post('/api/admin/accounts', { username: 'dash-ok', packages: ['premium'] });
  await t.admin.post('/api/admin/accounts', { username: 'dash-no', packages: ['basic'] });
  const apiKey = (await t.admin.post('/api/admin/api-keys', { name: 'dash-packager', scopes: ['packager'] })).body.key as string;
  const keys = (await t.client.withToken(apiKey).get('/api/v1/packager/dash-tv/cenc')).body;
  packageCencStream(origin, keys.current, 4);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.dispose();
  rmSync(origin, { recursive: true, force: true });
});

async function previewPlayer(language: 'en' | 'de'): Promise<{ page: Page; problems: string[] }> {
  const { page, problems } = await newPage(browser, language === 'en' ? 'en-US' : 'de-DE');
  await page.addInitScript(`sessionStorage.setItem('cas.session', ${JSON.stringify(t.admin.token)}); localStorage.setItem('cas.language', '${language}');`);
  await page.goto(`${t.cas.adminUrl}/admin/`);
  await page.getByTestId('signed-in-user').waitFor();
  await page.getByRole('menuitem', { name: language === 'en' ? 'Channels' : 'Sender' }).click();
  await page.getByTestId('channels-table').getByText('DASH TV').click();
  await page.locator('.ant-drawer').getByText(language === 'en' ? 'Preview player' : 'Vorschau-Player').click();
  return { page, problems };
}

async function choose(page: Page, label: string, option: string): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  if ((await input.getAttribute('readonly')) === null) await input.fill(option);
  const listId = `${await input.getAttribute('id')}_list`;
  await page.locator(`.ant-select-dropdown:has([id="${listId}"]) .ant-select-item-option`, { hasText: new RegExp(`^${option}$`) }).click();
}

describe('the preview player with a DASH channel', () => {
  it('plays through /dash with the ClearKey license, and shows the refusal for a viewer without the package', async () => {
    const { page, problems } = await previewPlayer('en');
    const drawer = page.locator('.ant-drawer');
    await choose(page, 'Format (HLS or DASH)', 'DASH');

    await choose(page, 'Play as account…', 'dash-no');
    await drawer.getByTestId('preview-play').click();
    await drawer.getByText('Playback failed').waitFor({ timeout: 20_000 });
    await expect(drawer.locator('.ant-alert-error').textContent()).resolves.toContain('HTTP 403');

    await choose(page, 'Play as account…', 'dash-ok');
    await drawer.getByTestId('preview-play').click();
    await drawer.getByText('Playing: keys and token work').waitFor({ timeout: 20_000 });
    const video = drawer.getByTestId('preview-video');
    await expect.poll(() => video.evaluate((v) => (v as unknown as { currentTime: number }).currentTime), { timeout: 15_000 }).toBeGreaterThan(0.3);
    await drawer.getByText('license with 1 key(s) loaded').waitFor();
    await video.scrollIntoViewIfNeeded();
    await screenshot(page, 'preview-player-dash');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('says the same in German', async () => {
    const { page, problems } = await previewPlayer('de');
    const drawer = page.locator('.ant-drawer');
    await choose(page, 'Format (HLS oder DASH)', 'DASH');
    await choose(page, 'Abspielen als Konto…', 'dash-ok');
    await drawer.getByTestId('preview-play').click();
    await drawer.getByText('Läuft: Schlüssel und Token funktionieren').waitFor({ timeout: 20_000 });
    await drawer.getByText('Lizenz mit 1 Schlüssel(n) geladen').waitFor();
    await drawer.getByTestId('preview-video').scrollIntoViewIfNeeded();
    await screenshot(page, 'preview-player-dash-de');
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
