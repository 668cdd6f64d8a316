import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { screenshot, useChromium } from './browser';

/**
 * Links that work for the people they are sent to, in Chromium against a real CAS whose client
 * listener binds every interface (so this machine's LAN addresses are the suggestions).
 */
let t: TestCas;
const tabs = useChromium();

beforeAll(async () => {
  t = await startTestCas({ apiHost: '0.0.0.0' });
  await t.admin.post('/api/admin/packages', { id: 'links-basic', name: 'Basic' });
}, 180_000);

afterAll(async () => {
  await t?.dispose();
});

function signedIn(language: 'en' | 'de', path = ''): Promise<Page> {
  return tabs.signedIn(t.cas.adminUrl, t.admin.token!, { language, path });
}

describe('the public address of handed-out links', { timeout: 120_000 }, () => {
  it('is asked for on the dashboard until set, with this machine\'s addresses one click away (English)', async () => {
    const page = await signedIn('en');
    const warning = page.getByTestId('public-url-warning');
    await warning.getByText('No public address set').waitFor();
    const suggestion = page.getByTestId('public-url-suggestion').first();
    await suggestion.waitFor();
    await screenshot(page, 'links-dashboard-public-url-en');
    const suggested = (await t.admin.get('/api/admin/links')).body.publicBaseUrl.suggestions[0].url as string;
    expect(suggested).not.toMatch(/127\.0\.0\.1|0\.0\.0\.0/);
    await suggestion.click();
    expect(await page.getByTestId('public-url-input').inputValue()).toBe(suggested);
    await page.getByTestId('public-url-save').click();
    await warning.waitFor({ state: 'detached' });
    expect((await t.admin.get('/api/admin/settings')).body.publicBaseUrl).toBe(suggested);
  });

  it('refuses a loopback address next to the field and shows the setting in Settings (German)', async () => {
    await t.admin.patch('/api/admin/settings', { publicBaseUrl: null });
    const page = await signedIn('de', 'settings');
    const card = page.getByTestId('public-url-card');
    await card.getByTestId('public-url-suggestion').first().waitFor();
    await card.getByTestId('public-url-input').fill('http://127.0.0.1:8100');
    await card.getByTestId('public-url-save').click();
    await card.getByText('Eine Loopback-Adresse (127.0.0.1, ::1, localhost) erreicht nur diesen Rechner', { exact: false }).waitFor();
    await screenshot(page, 'links-settings-loopback-de');
    expect((await t.admin.get('/api/admin/settings')).body.publicBaseUrl).toBeNull();
  });

  it('warns next to the playlist URL of an account while unset (German)', async () => {
    await t.admin.patch('/api/admin/settings', { publicBaseUrl: null });
    const account = (await t.admin.post('/api/admin/accounts', { username: 'links-viewer', packages: ['links-basic'] })).body;
    await t.admin.post('/api/admin/channels', { id: 'links-astra', name: 'Astra Eins', number: 7, packages: ['links-basic'], urlSigning: 'astra-id' });
    try {
      const page = await signedIn('de', 'accounts');
      await page.getByTestId('account-links-viewer').click();
      const drawer = page.locator('.ant-drawer');
      const effective = (await t.admin.get('/api/admin/links')).body.publicBaseUrl.effective as string;
      await drawer.getByTestId('playlist-url').first().waitFor();
      expect(await drawer.getByTestId('playlist-url').first().textContent()).toContain(`${effective}/playlist.m3u8?token=`);
      expect(effective).not.toMatch(/127\.0\.0\.1|0\.0\.0\.0/);
      await drawer.getByTestId('public-url-warning').getByText('Keine öffentliche Adresse eingestellt', { exact: false }).waitFor();
      await drawer.getByTestId('broken-channels').getByText('Astra Eins').waitFor();
      await screenshot(page, 'links-account-warnings-de');
      expect(account.id).toBeGreaterThan(0);
    } finally {
      await t.admin.delete('/api/admin/channels/links-astra');
    }
  });
});

describe('a channel whose signing secret is not set', { timeout: 120_000 }, () => {
  it('shows a badge in the list and on the dashboard, and one click sets a secret shown once (English)', async () => {
    const saved = await t.admin.post('/api/admin/channels', { id: 'links-nginx', name: 'Nginx One', number: 8, packages: ['links-basic'], urlSigning: 'nginx-secure-link' });
    expect(saved.body.warnings[0].code).toBe('signing_secret_missing');
    const page = await signedIn('en');
    await page.getByTestId('broken-channels').getByText('Nginx One').waitFor();
    await screenshot(page, 'links-dashboard-broken-en');
    await page.getByRole('menuitem', { name: 'Channels' }).click();
    const row = page.getByTestId('channels-table').locator('tr', { hasText: 'Nginx One' });
    await row.getByTestId('channel-problem').waitFor();
    await screenshot(page, 'links-channel-badge-en');
    await row.getByTestId('generate-secureLinkSecret').click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Generate secureLinkSecret' }).click();
    const secret = page.getByTestId('generated-secret');
    await secret.waitFor();
    await page.getByText('secure_link_md5', { exact: false }).waitFor();
    await screenshot(page, 'links-secret-generated-en');
    expect((await secret.innerText()).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'OK' }).click();
    await row.getByTestId('channel-problem').waitFor({ state: 'detached' });
    expect((await t.admin.get('/api/admin/links')).body.brokenChannels).toEqual([]);
  });

  it('is worded in German on the channel list and dashboard', async () => {
    await t.admin.post('/api/admin/channels', { id: 'links-fl', name: 'Flussonic Zwei', number: 9, packages: ['links-basic'], urlSigning: 'flussonic' });
    const page = await signedIn('de', 'channels');
    const row = page.getByTestId('channels-table').locator('tr', { hasText: 'Flussonic Zwei' });
    await row.getByTestId('channel-problem').getByText('Spielt nicht').waitFor();
    await row.getByTestId('generate-securetokenSecret').getByText('securetokenSecret erzeugen').waitFor();
    await screenshot(page, 'links-channel-badge-de');
    await page.getByRole('menuitem', { name: 'Übersicht' }).click();
    await page.getByTestId('broken-channels').getByText('1 Sender spielen nicht', { exact: false }).waitFor();
    await screenshot(page, 'links-dashboard-broken-de');
  });
});
