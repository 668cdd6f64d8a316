// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccountsPage } from '../../src-renderer/src/features/accounts/accounts-page';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { Account } from '../../src-shared/schemas/accounts';
import { fakeApi, installBrowserShims, renderWithProviders, type Call } from './harness';
import { AuthTestProvider } from './auth-test-provider';

function account(i: number): Account {
  return {
    id: i,
    username: `viewer-${String(i).padStart(7, '0')}`,
    role: 'user',
    status: 'active',
    enabled: true,
    expiresAt: null,
    maxConnections: 1,
    maxDevices: 1,
    allowedIps: [],
    email: null,
    comment: '',
    packages: ['basic'],
    tokenPreview: 'abcd…',
    hasPassword: false,
    deviceCount: 0,
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
  };
}

/** A million accounts behind the fake API: each page is made on demand, as the server would. */
function millionAccounts(call: Call) {
  const page = Number(call.query.get('page') ?? 1);
  const pageSize = Number(call.query.get('pageSize') ?? 50);
  const role = call.query.get('role');
  const total = role === 'observer' ? 2 : 1_000_000;
  const first = (page - 1) * pageSize + 1;
  const items = Array.from({ length: Math.min(pageSize, total - first + 1) }, (_, i) => account(first + i));
  return { body: { items, total, page, pageSize } };
}

const routes = {
  'GET /api/admin/accounts': millionAccounts,
  'GET /api/admin/packages': () => ({ body: [{ id: 'basic', name: 'Basic', description: '', channels: [], accountCount: 1_000_000, createdAt: '', updatedAt: '' }] }),
  'GET /api/admin/status': () => ({ body: { apiUrl: 'http://127.0.0.1:8100' } }),
};

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

describe('accounts table', () => {
  it('pages on the server: renders one page of a million accounts and asks for page 2 when told', async () => {
    const { calls } = fakeApi(routes);
    renderWithProviders(
      <AuthTestProvider role="admin">
        <AccountsPage />
      </AuthTestProvider>,
    );
    expect(await screen.findByText('viewer-0000001')).toBeTruthy();
    expect(screen.getByText('Total: 1000000')).toBeTruthy();
    const table = screen.getByTestId('accounts-table');
    expect(table.querySelectorAll('tbody tr.ant-table-row').length).toBe(50); // one page, never more
    await userEvent.setup().click(screen.getByTitle('2'));
    expect(await screen.findByText('viewer-0000051')).toBeTruthy();
    const listCalls = calls.filter((c) => c.path === '/api/admin/accounts');
    expect(listCalls.at(-1)!.query.get('page')).toBe('2');
    expect(listCalls.at(-1)!.query.get('pageSize')).toBe('50');
  });

  it('sends the filters to the server and starts again at page 1', async () => {
    const { calls } = fakeApi(routes);
    renderWithProviders(
      <AuthTestProvider role="admin">
        <AccountsPage />
      </AuthTestProvider>,
    );
    await screen.findByText('viewer-0000001');
    const user = userEvent.setup();
    await user.click(screen.getByLabelText('Role'));
    await user.click(await screen.findByTitle('Observer'));
    await waitFor(() => expect(screen.getByText('Total: 2')).toBeTruthy());
    const last = calls.filter((c) => c.path === '/api/admin/accounts').at(-1)!;
    expect(last.query.get('role')).toBe('observer');
    expect(last.query.get('page')).toBe('1');
    await user.type(screen.getByLabelText('Search name, e-mail, comment'), 'alice');
    await waitFor(() => expect(calls.filter((c) => c.path === '/api/admin/accounts').at(-1)!.query.get('q')).toBe('alice'));
  });

  it('offers bulk actions for selected rows and sends them in one request', async () => {
    const { calls } = fakeApi({ ...routes, 'POST /api/admin/accounts/bulk': () => ({ body: { affected: 2 } }) });
    renderWithProviders(
      <AuthTestProvider role="admin">
        <AccountsPage />
      </AuthTestProvider>,
    );
    await screen.findByText('viewer-0000001');
    const user = userEvent.setup();
    const rows = [...screen.getByTestId('accounts-table').querySelectorAll('tbody tr.ant-table-row input[type=checkbox]')];
    await user.click(rows[0]);
    await screen.findByText('1 selected');
    await user.click(rows[1]);
    await screen.findByText('2 selected');
    await user.hover(screen.getByTestId('bulk-actions'));
    await user.click(await screen.findByText('Disable'));
    // Disabling cuts viewers off: it is confirmed first, naming the accounts.
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getAllByText('Disable 2 accounts? Their viewers and devices are cut off.').length).toBeGreaterThan(0);
    expect(within(dialog).getByText('viewer-0000002')).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(calls.some((c) => c.path === '/api/admin/accounts/bulk')).toBe(true));
    expect(calls.find((c) => c.path === '/api/admin/accounts/bulk')!.body).toEqual({ action: 'disable', ids: [1, 2] });
  });

  it('hides every write control from observers', async () => {
    fakeApi(routes);
    renderWithProviders(
      <AuthTestProvider role="observer">
        <AccountsPage />
      </AuthTestProvider>,
    );
    await screen.findByText('viewer-0000001');
    // (Text and label queries: role queries over a 50-row antd table are very slow in jsdom.)
    expect(screen.queryByText('New account')).toBeNull();
    expect(screen.queryByText('Import CSV')).toBeNull();
    expect(screen.queryAllByLabelText('Delete')).toEqual([]);
    expect(screen.getByTestId('accounts-table').querySelectorAll('input[type=checkbox]').length).toBe(0);
    expect(screen.getAllByLabelText('View').length).toBe(50);
    expect(screen.getByText('Export CSV')).toBeTruthy();
  });
});
