import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, openLogFile } from '../../src-main/kernel/logger';
import { logFileBaseOf } from '../../src-main/kernel/log-files';
import { ADMIN_PASSWORD, startTestCas, type TestCas } from '../helpers/test-cas';
import { screenshot, useChromium } from './browser';

/**
 * The operator's logs in Chromium: the audit log's field-by-field changes and one-entry bulk
 * actions, the server's own log, and the explain view. Each view in English and German.
 */
const VIEWER_TOKEN = 'e2e-viewer-token-never-in-the-log-7731';
const NEW_PASSWORD = 'changed-secret-password-1';
let t: TestCas;
const tabs = useChromium();

const words = {
  en: { logs: 'Logs', sessions: 'Sessions', changed: 'Account changed', bulk: 'Bulk: disabled', secret: 'changed', accounts: '15 accounts', more: 'and 5 more', serverLog: 'Server log', level: 'From level', warn: 'warning', explainTab: 'Why allowed / refused?', explain: 'Explain', account: 'Account (name or id)', channel: 'Channel', action: 'Action', skipped: 'skipped', badAddress: 'Not an IP address' },
  de: { logs: 'Protokolle', sessions: 'Sitzungen', changed: 'Konto geändert', bulk: 'Sammelaktion: deaktiviert', secret: 'geändert', accounts: '15 Konten', more: 'und 5 weitere', serverLog: 'Server-Protokoll', level: 'Ab Stufe', warn: 'Warnung', explainTab: 'Warum erlaubt / abgelehnt?', explain: 'Erklären', account: 'Konto (Name oder ID)', channel: 'Sender', action: 'Aktion', skipped: 'übersprungen', badAddress: 'Keine IP-Adresse' },
} as const;
type Language = keyof typeof words;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cas-e2e-logs-'));
  const logger = createLogger({ level: 'debug', destination: await openLogFile(logFileBaseOf(dataDir)) });
  t = await startTestCas({ dataDir, logger });
  await t.admin.post('/api/admin/channels', { id: 'e2e-news', name: 'E2E News', number: 77, packages: ['basic'] });
  const viewer = (await t.admin.post('/api/admin/accounts', { username: 'diff-viewer', password: 'first-password-1', maxConnections: 1, packages: ['basic'], expiresAt: '2030-12-31' })).body;
  await t.admin.patch(`/api/admin/accounts/${viewer.id}`, { maxConnections: 3, password: NEW_PASSWORD });
  const ids: number[] = [];
  for (let i = 0; i < 15; i++) ids.push((await t.admin.post('/api/admin/accounts', { username: `bulk-e2e-${String(i).padStart(2, '0')}` })).body.id);
  await t.admin.post('/api/admin/accounts/bulk', { action: 'disable', ids });
  await t.client.get(`/auth/astra?token=${VIEWER_TOKEN}`);
  t.cas.ctx.logger.warn('e2e warning line');
  t.cas.ctx.logger.debug('e2e debug line');
}, 180_000);

afterAll(async () => {
  await t?.dispose();
});

async function signedIn(language: Language, menu: string, username = 'admin', password = ADMIN_PASSWORD): Promise<Page> {
  const token = username === 'admin' ? t.admin.token! : ((await t.anonymous.post('/api/admin/login', { username, password })).body.token as string);
  const page = await tabs.signedIn(t.cas.adminUrl, token, { language });
  await page.getByRole('menuitem', { name: menu }).click();
  return page;
}

/** Picks `option` in the antd select labelled `label` (searchable: typed first), retried while the dropdown re-renders. */
async function chooseOption(page: Page, label: string, option: string): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  const root = input.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select ")][1]');
  const searchable = (await input.getAttribute('readonly')) === null;
  const listId = `${await input.getAttribute('id')}_list`;
  await vi.waitFor(
    async () => {
      await input.click();
      if (searchable) await input.fill(option);
      await page.locator(`.ant-select-dropdown:has([id="${listId}"]) .ant-select-item-option`, { hasText: new RegExp(`^${option}$`) }).click({ timeout: 3000 });
      await expect.poll(() => root.textContent(), { timeout: 2000 }).toContain(option);
    },
    { timeout: 20_000, interval: 200 },
  );
}

describe('operator logs in Chromium', { timeout: 120_000 }, () => {
  for (const language of ['en', 'de'] as const) {
    const w = words[language];

    it(`shows an update field by field, the password only as changed (${language})`, async () => {
      const page = await signedIn(language, w.logs);
      await chooseOption(page, w.action, w.changed);
      const maxConnections = page.getByTestId('audit-change-maxConnections').first();
      await maxConnections.waitFor();
      expect(await maxConnections.textContent()).toMatch(/1\s*→\s*3/);
      expect(await page.getByTestId('audit-change-password').first().textContent()).toContain(w.secret);
      expect(await page.getByTestId('audit-table').textContent()).not.toContain(NEW_PASSWORD);
      await screenshot(page, `logs-audit-diff-${language}`);
    });

    it(`shows a bulk action as one entry with its accounts, all downloadable (${language})`, async () => {
      const page = await signedIn(language, w.logs);
      await chooseOption(page, w.action, w.bulk);
      const table = page.getByTestId('audit-table');
      await table.getByText(w.accounts).waitFor();
      await table.getByText(w.more, { exact: false }).waitFor();
      await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(1);
      await screenshot(page, `logs-audit-bulk-${language}`);
      const [download] = await Promise.all([page.waitForEvent('download'), table.getByRole('button').filter({ hasText: /CSV/ }).click()]);
      const csv = readFileSync(await download.path(), 'utf8');
      for (let i = 0; i < 15; i++) expect(csv).toContain(`bulk-e2e-${String(i).padStart(2, '0')}`);
    });

    it(`shows the server log by level and downloads the file without credentials (${language})`, async () => {
      const page = await signedIn(language, w.logs);
      await page.getByRole('tab', { name: w.serverLog }).click();
      const table = page.getByTestId('server-log-table');
      await table.locator('tbody .ant-tag', { hasText: /^debug$/i }).first().waitFor();
      await chooseOption(page, w.level, w.warn);
      // Only warnings and worse: the debug lines are gone.
      await expect.poll(() => table.locator('tbody tr.ant-table-row').count()).toBe(await table.locator('tbody .ant-tag', { hasText: w.warn }).count());
      await table.getByText('e2e warning line').waitFor();
      await screenshot(page, `logs-server-${language}`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('server-log-download').click()]);
      expect(download.suggestedFilename()).toBe('cas.1.log');
      const text = readFileSync(await download.path(), 'utf8');
      expect(text).toContain('/auth/astra');
      expect(text).not.toContain(VIEWER_TOKEN);
    });

    it(`explains with a check, a cross or skipped, dates in the app's format, and a bad address clears the result (${language})`, async () => {
      const page = await signedIn(language, w.sessions);
      await page.getByRole('tab', { name: w.explainTab }).click();
      await page.getByLabel(w.account, { exact: true }).fill('diff-viewer');
      await chooseOption(page, w.channel, 'E2E News');
      await page.locator('#ip').fill('203.0.113.9');
      await page.getByRole('button', { name: w.explain }).click();
      const result = page.getByTestId('explain-result');
      await result.waitFor();
      const expiry = await result.getByTestId('explain-step-account_expiry').textContent();
      expect(expiry).toContain('2030');
      expect(expiry).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      expect(await result.locator('.ant-steps-item-icon, .ant-steps').count()).toBe(0);
      expect(await result.locator('[data-outcome=pass] .anticon-check-circle').count()).toBeGreaterThan(0);
      expect(await result.locator('[data-outcome=skip]').first().textContent()).toContain(w.skipped);
      await screenshot(page, `logs-explain-${language}`);

      await page.locator('#ip').fill('999.1.1.1');
      await page.getByRole('button', { name: w.explain }).click();
      await result.waitFor({ state: 'detached' });
      await page.locator('.ant-form-item-explain-error', { hasText: w.badAddress }).waitFor();
      await screenshot(page, `logs-explain-bad-address-${language}`);
    });
  }

  it('offers observers no server log tab (the API refuses them too)', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'e2e-observer', password: 'observer-pass-1', role: 'observer' });
    const page = await signedIn('en', 'Logs', 'e2e-observer', 'observer-pass-1');
    await page.getByRole('tab', { name: 'Audit log' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Server log' }).count()).toBe(0);
  });
});
