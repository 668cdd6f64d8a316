// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MaintenanceCard } from '../../src-renderer/src/features/maintenance/maintenance-card';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { BackupList } from '../../src-shared/schemas/backups';
import { fakeApi, installBrowserShims, renderWithProviders } from './harness';

const list: BackupList = {
  folder: '/var/lib/cas/backups',
  keyCheckValue: '0123456789abcdef',
  items: [
    { name: 'cas-20260101T120000000Z.db', createdAt: '2026-01-01T12:00:00.000Z', bytes: 2 * 1024 * 1024, schemaVersion: 430, keyCheckValue: '0123456789abcdef' },
    { name: 'cas-20251201T120000000Z.db', createdAt: '2025-12-01T12:00:00.000Z', bytes: 4096, schemaVersion: 430, keyCheckValue: 'fedcba9876543210' },
  ],
};

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

describe('the maintenance card', () => {
  it('lists backups with size and key check value, flags one needing another key, and backs up now', async () => {
    const made = { ...list.items[0], name: 'cas-20260102T000000000Z.db' };
    const { calls } = fakeApi({
      'GET /api/admin/backups': () => ({ body: calls.some((c) => c.method === 'POST') ? { ...list, items: [made, ...list.items] } : list }),
      'POST /api/admin/backups': () => ({ status: 201, body: made }),
    });
    renderWithProviders(<MaintenanceCard readOnly={false} />);
    const first = (await screen.findByText('cas-20260101T120000000Z.db')).closest('tr')!;
    expect(within(first).getByText('2.0 MB')).toBeTruthy();
    expect(within(first).getByText('integrity ok')).toBeTruthy();
    const second = screen.getByText('cas-20251201T120000000Z.db').closest('tr')!;
    expect(within(second).getByText('fedcba9876543210')).toBeTruthy();
    expect(within(second).getByText('needs another master key')).toBeTruthy();

    await userEvent.setup().click(screen.getByTestId('backup-now'));
    expect(await screen.findByText('cas-20260102T000000000Z.db')).toBeTruthy();
  });

  it('asks before restoring, naming the file', async () => {
    const { calls } = fakeApi({
      'GET /api/admin/backups': () => ({ body: list }),
      'POST /api/admin/backups/cas-20260101T120000000Z.db/restore': () => ({ status: 202, body: { restarting: true } }),
      'GET /healthz': () => ({ body: { status: 'ok' } }),
    });
    renderWithProviders(<MaintenanceCard readOnly={false} />);
    await userEvent.setup().click(await screen.findByTestId('restore-cas-20260101T120000000Z.db'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('Restore cas-20260101T120000000Z.db?')).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith('/restore'))).toBe(false);
    await userEvent.setup().click(within(dialog).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/restore'))).toBe(true));
    await waitFor(() => expect(calls.some((c) => c.path === '/healthz')).toBe(true), { timeout: 3000 });
  });

  it('exports the configuration only with a passphrase long enough, sent in the body', async () => {
    const { calls } = fakeApi({
      'GET /api/admin/backups': () => ({ body: list }),
      'POST /api/admin/config/export': () => ({ body: { exportedAt: '2026-01-01T00:00:00.000Z' } }),
    });
    renderWithProviders(<MaintenanceCard readOnly={false} />);
    const exportButton = await screen.findByTestId('config-export');
    expect((exportButton as HTMLButtonElement).disabled).toBe(true);
    await userEvent.setup().type(screen.getByLabelText('Passphrase (at least 12 characters)'), 'a long enough passphrase');
    await userEvent.setup().click(exportButton);
    await waitFor(() => expect(calls.find((c) => c.path === '/api/admin/config/export')?.body).toEqual({ passphrase: 'a long enough passphrase', includeSecrets: false }));
  });

  it('shows no actions to an observer', async () => {
    fakeApi({ 'GET /api/admin/backups': () => ({ body: list }) });
    renderWithProviders(<MaintenanceCard readOnly />);
    await screen.findByText('cas-20260101T120000000Z.db');
    expect(screen.queryByTestId('backup-now')).toBeNull();
    expect(screen.queryByText('Restore')).toBeNull();
    expect(screen.queryByTestId('config-export')).toBeNull();
  });
});
