import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { screenshot, useChromium } from './browser';
import { solidPng } from './png';

/**
 * Finding things in Chromium against a real CAS: list state in the URL (reload, back, go to page),
 * prefix filters, the manual's account form (HWID, typed or generated token), channels with a
 * group and a logo chosen before they exist. Screenshots in English and German go to test-artifacts/.
 */
let t: TestCas;
const tabs = useChromium();

const ACCOUNTS = 130;

beforeAll(async () => {
  t = await startTestCas();
  for (let i = 0; i < ACCOUNTS; i++) {
    const n = String(i).padStart(3, '0');
    const answer = await t.admin.post('/api/admin/accounts', { username: `finder-${n}`, hwid: `BOX-${n}`, packages: ['basic'] });
    expect(answer.status).toBe(201);
  }
}, 240_000);

afterAll(async () => {
  await t?.dispose();
});

/** A signed-in tab in `language`, opened at `path` under /admin. */
function signedIn(path: string, language: 'en' | 'de' = 'en'): Promise<Page> {
  return tabs.signedIn(t.cas.adminUrl, t.admin.token!, { language, path, locale: 'en-US' });
}

const rows = (page: Page) => page.getByTestId('accounts-table').locator('tbody tr.ant-table-row');
const activePage = (page: Page) => page.locator('.ant-pagination-item-active').textContent();
const search = (page: Page) => new URL(page.url()).searchParams;
/** Polls until the page shows it: a refetch under load takes longer than expect.poll's 1 s default. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });

describe('finding things in Chromium', { timeout: 150_000 }, () => {
  it('keeps filters, sort and page in the URL across reload and back, with a go-to-page box', async () => {
    const page = await signedIn('accounts?pageSize=20');
    await page.getByTestId('account-finder-000').waitFor();
    // 130 accounts at 20 a page: a long list gets the go-to-page box.
    const jumper = page.locator('.ant-pagination-options-quick-jumper input');
    await jumper.fill('4');
    await jumper.press('Enter');
    await page.getByTestId('account-finder-060').waitFor();
    expect(search(page).get('page')).toBe('4');
    expect(await activePage(page)).toBe('4');

    await page.reload();
    await page.getByTestId('account-finder-060').waitFor();
    expect(await activePage(page)).toBe('4');
    expect(await rows(page).count()).toBe(20);

    // A HWID prefix in the other letter case is a new question: page 1, in the URL.
    await page.getByLabel('HWID starts with').fill('box-12');
    await page.getByTestId('account-finder-129').waitFor();
    await eventually(() => rows(page).count()).toBe(10);
    expect(search(page).get('hwid')).toBe('box-12');
    expect(search(page).get('page')).toBeNull();
    // Username is sorted ascending already: one click turns it round.
    await page.getByRole('columnheader', { name: 'Username' }).click();
    await eventually(() => search(page).get('order')).toBe('desc');
    await eventually(() => rows(page).first().textContent()).toContain('finder-129');
    await screenshot(page, 'finding-accounts-url-state');

    await page.reload();
    await eventually(() => rows(page).first().textContent()).toContain('finder-129');
    expect(await page.getByLabel('HWID starts with').inputValue()).toBe('box-12');

    // Back walks the history of questions: ascending order, then the unfiltered page 4.
    await page.goBack();
    await eventually(() => search(page).get('order')).toBeNull();
    await eventually(() => rows(page).first().textContent()).toContain('finder-120');
    await page.goBack();
    await eventually(() => search(page).get('page')).toBe('4');
    await page.getByTestId('account-finder-060').waitFor();
    expect(await page.getByLabel('HWID starts with').inputValue()).toBe('');
  });

  it('refreshes a list on demand after another operator changed something', async () => {
    const page = await signedIn('accounts?q=late-arrival');
    await page.getByTestId('accounts-table').locator('.ant-empty').waitFor();
    await t.admin.post('/api/admin/accounts', { username: 'late-arrival' });
    await page.getByTestId('list-refresh').click();
    await page.getByTestId('account-late-arrival').waitFor();
  });

  it('creates an account with a HWID and a typed token, finds it by their prefixes, and refuses a token in use', async () => {
    const page = await signedIn('accounts');
    await page.getByTestId('account-finder-000').waitFor();
    await page.getByRole('button', { name: 'New account' }).click();
    const drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('Username').fill('manual-form');
    await drawer.getByLabel('Password').fill('manual-password-1');
    await drawer.getByLabel('HWID (device)').fill('MAG-254-AA:BB');
    await drawer.getByTestId('generate-token').click();
    await eventually(() => drawer.getByLabel('Token', { exact: true }).inputValue()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const typed = `ManualToken_${'7'.repeat(24)}`;
    await drawer.getByLabel('Token', { exact: true }).fill(typed);
    await screenshot(page, 'finding-account-form-en');
    await drawer.getByRole('button', { name: 'Create' }).click();
    await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });

    const created = (await t.admin.get('/api/admin/accounts?q=manual-form')).body.items[0];
    const detail = (await t.admin.get(`/api/admin/accounts/${created.id}`)).body;
    expect(detail.token).toBe(typed);
    expect(detail.devices.map((d: { hwid: string }) => d.hwid)).toEqual(['MAG-254-AA:BB']);

    await page.getByLabel('Token starts with').fill('ManualTo');
    await page.getByTestId('account-manual-form').waitFor();
    await eventually(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().textContent()).toContain('ManualTo…');

    await page.getByRole('button', { name: 'New account' }).click();
    await drawer.getByLabel('Username').fill('manual-copy');
    await drawer.getByLabel('Token', { exact: true }).fill(typed);
    await drawer.getByRole('button', { name: 'Create' }).click();
    await drawer.getByText('Another account already uses this token').waitFor();
  });

  it('shows the account form with HWID and token in German', async () => {
    const page = await signedIn('accounts?hwid=box-00', 'de');
    await page.getByTestId('account-finder-009').waitFor();
    expect(await page.getByLabel('HWID beginnt mit').inputValue()).toBe('box-00');
    await screenshot(page, 'finding-accounts-de');
    await page.getByRole('button', { name: 'Neues Konto' }).click();
    const drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('HWID (Gerät)').fill('MAG-254-CC:DD');
    await drawer.getByTestId('generate-token').click();
    await screenshot(page, 'finding-account-form-de');
  });

  it('creates a channel with a group, order and a logo chosen before it exists, and sorts by group', async () => {
    const page = await signedIn('channels');
    await page.getByRole('button', { name: 'New channel' }).click();
    const drawer = page.locator('.ant-drawer-open');
    await drawer.getByLabel('Channel ID').fill('arena-sport');
    await drawer.getByLabel('Name', { exact: true }).fill('Arena Sport');
    await drawer.getByLabel('Number').fill('7');
    await drawer.getByLabel('Group', { exact: true }).fill('Sport');
    await drawer.getByLabel('Group order').fill('1');
    await drawer.getByLabel('Order in group').fill('2');
    await drawer.locator('input[type=file]').setInputFiles({ name: 'arena.png', mimeType: 'image/png', buffer: solidPng(64, 64, [200, 60, 40]) });
    await eventually(() => drawer.getByTestId('logo-preview').locator('img').count()).toBe(1);
    await screenshot(page, 'finding-channel-new-en');
    await drawer.getByRole('button', { name: 'Create' }).click();

    await eventually(async () => (await t.admin.get('/api/admin/channels/arena-sport')).body.logo ?? '').toMatch(/^\/logos\/arena-sport/);
    const channel = (await t.admin.get('/api/admin/channels/arena-sport')).body;
    expect(channel).toMatchObject({ group: 'Sport', groupOrder: 1, position: 2, number: 7 });
    await drawer.locator('.ant-drawer-close').click();
    await page.locator('.ant-drawer-open').waitFor({ state: 'detached' });
    await page.getByTestId('group-arena-sport').waitFor();

    await page.getByRole('columnheader', { name: 'Group' }).click();
    await eventually(() => search(page).get('sort')).toBe('group');
    await page.reload();
    await page.getByTestId('group-arena-sport').waitFor();
    expect(search(page).get('sort')).toBe('group');
    await screenshot(page, 'finding-channels-en');
  });

  it('shows channel groups and order in German', async () => {
    const page = await signedIn('channels?sort=group', 'de');
    await page.getByTestId('group-arena-sport').waitFor();
    await screenshot(page, 'finding-channels-de');
    await page.getByRole('button', { name: 'Neuer Sender' }).click();
    await page.locator('.ant-drawer-open').getByLabel('Gruppe', { exact: true }).waitFor();
    await screenshot(page, 'finding-channel-new-de');
  });
});
