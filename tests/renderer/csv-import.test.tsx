// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { CsvImportModal } from '../../src-renderer/src/features/accounts/csv-import-modal';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { AccountCsvImportResult } from '../../src-shared/schemas/account-csv';
import { fakeApi, installBrowserShims, renderWithProviders } from './harness';

const preview: AccountCsvImportResult = {
  dryRun: true,
  total: 3,
  valid: 2,
  invalid: 1,
  created: 0,
  fileErrors: [],
  rows: [
    { line: 2, username: 'anna', ok: true, errors: [] },
    {
      line: 3,
      username: 'x',
      ok: false,
      errors: [
        { field: 'username', code: 'too_short', params: { field: 'username', min: 3 }, message: 'At least 3 characters' },
        { field: 'packages', code: 'unknown_package', params: { id: 'gold' }, message: 'Unknown package "gold"' },
      ],
    },
    { line: 4, username: 'bert', ok: true, errors: [] },
  ],
};

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

describe('CSV import', () => {
  it('previews the file first, lists the bad row with its problems, then imports the valid rows', async () => {
    const { calls } = fakeApi({
      'POST /api/admin/accounts/import': (call) =>
        (call.body as { dryRun: boolean }).dryRun ? { body: preview } : { body: { ...preview, dryRun: false, created: 2 } },
    });
    const onClose = vi.fn();
    renderWithProviders(<CsvImportModal open onClose={onClose} />);
    const csv = 'username,packages\nanna,basic\nx,gold\nbert,\n';
    const input = document.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.setup().upload(input, new File([csv], 'subscribers.csv', { type: 'text/csv' }));

    expect(await screen.findByText(/3 rows, 2 valid, 1 with errors/)).toBeTruthy();
    expect(screen.getByText('At least 3 characters')).toBeTruthy();
    expect(screen.getByText('There is no package "gold".')).toBeTruthy();
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toEqual({ csv, dryRun: true });

    const commit = screen.getByTestId('csv-commit');
    expect(commit.textContent).toContain('Import 2 valid rows, skip 1');
    await userEvent.setup().click(commit);
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(calls[1].body).toEqual({ csv, dryRun: false, skipInvalid: true });
  });

  it('cannot import a file with a broken header', async () => {
    fakeApi({
      'POST /api/admin/accounts/import': () => ({ body: { ...preview, valid: 0, invalid: 0, total: 0, rows: [], fileErrors: [{ code: 'csv_unknown_columns', params: { columns: 'colour', known: 'username, password' }, message: 'Unknown column(s): colour' }] } }),
    });
    renderWithProviders(<CsvImportModal open onClose={() => undefined} />);
    const input = document.querySelector('input[type=file]') as HTMLInputElement;
    await userEvent.setup().upload(input, new File(['username,colour\na,b\n'], 'bad.csv', { type: 'text/csv' }));
    expect(await screen.findByText('Unknown columns: colour. Known columns: username, password')).toBeTruthy();
    expect(screen.getByTestId<HTMLButtonElement>('csv-commit').disabled).toBe(true);
  });
});
