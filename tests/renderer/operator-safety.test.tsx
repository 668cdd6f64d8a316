// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccountsPage } from '../../src-renderer/src/features/accounts/accounts-page';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { Account, Role } from '../../src-shared/schemas/accounts';
import { fakeApi, installBrowserShims, renderWithProviders, type Call } from './harness';
import { AuthTestProvider } from './auth-test-provider';

function account(id: number, username: string, role: Role = 'user'): Account {
  return {
    id,
    username,
    role,
    status: 'active',
    enabled: true,
    expiresAt: null,
    maxConnections: 1,
    maxDevices: 1,
    allowedIps: [],
    email: null,
    comment: '',
    packages: [],
    tokenPreview: 'abcd…',
    hasPassword: role !== 'user',
    deviceCount: 0,
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
  };
}

/** One page: 24 subscribers, an administrator and an observer. */
const page = [
  ...Array.from({ length: 12 }, (_, i) => account(i + 1, `viewer-${String(i + 1).padStart(2, '0')}`)),
  account(13, 'boss', 'admin'),
  account(14, 'night-watch', 'observer'),
  ...Array.from({ length: 12 }, (_, i) => account(i + 15, `viewer-${String(i + 13).padStart(2, '0')}`)),
];

const routes = {
  'GET /api/admin/accounts': () => ({ body: { items: page, total: page.length, page: 1, pageSize: 50 } }),
  'GET /api/admin/packages': () => ({ body: [] }),
  'GET /api/admin/status': () => ({ body: { apiUrl: 'http://127.0.0.1:8100' } }),
  'GET /api/admin/settings': () => ({ body: { timeZone: 'Europe/Berlin' } }),
};

/** The username input of the account form in the drawer. */
const formUsername = () => within(screen.getByRole('form', { name: 'Account' })).getByLabelText<HTMLInputElement>('Username');
const formIsOpen = () => screen.queryByRole('form', { name: 'Account' }) !== null;

function renderPage() {
  renderWithProviders(
    <AuthTestProvider role="admin">
      <AccountsPage />
    </AuthTestProvider>,
  );
}

async function selectAllOnPage(user: ReturnType<typeof userEvent.setup>) {
  await screen.findByText('viewer-01');
  await user.click(screen.getByTestId('accounts-table').querySelector('thead input[type=checkbox]')!);
}

beforeAll(() => {
  installBrowserShims();
});
afterEach(() => {
  cleanup();
  setLanguage('en');
});

describe('bulk actions never sweep in operators and confirm with names', () => {
  it('"select all" leaves administrators and observers out, and says so', async () => {
    setLanguage('en');
    fakeApi(routes);
    renderPage();
    const user = userEvent.setup();
    await selectAllOnPage(user);
    expect(await screen.findByText('24 selected')).toBeTruthy();
    expect(screen.getByTestId('operators-not-selectable').textContent).toContain('Administrators and observers are not selected');
  });

  it('confirms a bulk delete with the count and the usernames, then sends only subscribers', async () => {
    setLanguage('en');
    const { calls } = fakeApi({ ...routes, 'POST /api/admin/accounts/bulk': () => ({ body: { affected: 24 } }) });
    renderPage();
    const user = userEvent.setup();
    await selectAllOnPage(user);
    await user.hover(await screen.findByTestId('bulk-actions'));
    await user.click(await screen.findByText('Delete…'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getAllByText('Delete 24 accounts? This cannot be undone.').length).toBeGreaterThan(0);
    const targets = within(dialog).getByTestId('bulk-targets');
    expect(within(targets).getByText('viewer-01')).toBeTruthy();
    expect(within(targets).getByText('… and 4 more')).toBeTruthy();
    expect(targets.textContent).not.toContain('boss');
    expect(calls.some((c) => c.path === '/api/admin/accounts/bulk')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(calls.some((c: Call) => c.path === '/api/admin/accounts/bulk')).toBe(true));
    const sent = calls.find((c) => c.path === '/api/admin/accounts/bulk')!.body as { action: string; ids: number[] };
    expect(sent.action).toBe('delete');
    expect(sent.ids).toHaveLength(24);
    expect(sent.ids).not.toContain(13);
    expect(sent.ids).not.toContain(14);
  });

  it('explains a refusal by its code, in German too', async () => {
    setLanguage('de');
    fakeApi({
      ...routes,
      'POST /api/admin/accounts/bulk': () => ({ status: 409, body: { error: { code: 'last_admin', message: 'At least one enabled administrator must remain' } } }),
    });
    renderPage();
    const user = userEvent.setup();
    await selectAllOnPage(user);
    await user.hover(await screen.findByTestId('bulk-actions'));
    await user.click(await screen.findByText('Deaktivieren'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getAllByText('24 Konten deaktivieren? Ihre Zuschauer und Geräte werden getrennt.').length).toBeGreaterThan(0);
    await user.click(within(dialog).getByRole('button', { name: 'Deaktivieren' }));
    expect(await screen.findByText(/Mindestens ein aktiver Administrator muss bleiben/)).toBeTruthy();
  });
});

describe('closing a form with unsaved changes asks first', () => {
  it('asks on Escape, keeps the typing on "keep editing", and closes on "discard"', async () => {
    setLanguage('en');
    fakeApi(routes);
    renderPage();
    const user = userEvent.setup();
    await screen.findByText('viewer-01');
    await user.click(screen.getByRole('button', { name: /New account/ }));
    await screen.findByRole('form', { name: 'Account' });
    await user.type(formUsername(), 'half-typed');
    await user.keyboard('{Escape}');
    expect((await screen.findAllByText('Discard unsaved changes?')).length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Keep editing' }));
    expect(formUsername().value).toBe('half-typed');
    await user.keyboard('{Escape}');
    // The first prompt may linger closed in the DOM: the newest one is last.
    await user.click((await screen.findAllByRole('button', { name: 'Discard changes' })).at(-1)!);
    await waitFor(() => expect(formIsOpen()).toBe(false));
  });

  it('closes an untouched form at once', async () => {
    setLanguage('en');
    fakeApi(routes);
    renderPage();
    const user = userEvent.setup();
    await screen.findByText('viewer-01');
    await user.click(screen.getByRole('button', { name: /New account/ }));
    await screen.findByRole('form', { name: 'Account' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(formIsOpen()).toBe(false));
    expect(screen.queryAllByText('Discard unsaved changes?')).toHaveLength(0);
  });

  it("explains the expiry field in the operator's time zone, and 0 = unlimited with the range", async () => {
    setLanguage('en');
    fakeApi(routes);
    renderPage();
    const user = userEvent.setup();
    await screen.findByText('viewer-01');
    await user.click(screen.getByRole('button', { name: /New account/ }));
    expect(await screen.findByText('A date alone means the end of that day (Europe/Berlin). Empty = never.')).toBeTruthy();
    expect(screen.getAllByText('0 = unlimited, otherwise 1 to 1000').length).toBe(1);
  });
});
