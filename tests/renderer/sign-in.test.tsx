// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import dayjs from 'dayjs';
import { DashboardApp } from '../../src-renderer/src/app';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import { fakeApi, installBrowserShims } from './harness';
import { render } from '@testing-library/react';

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

describe('sign-in', () => {
  it('says until when a locked account stays locked', async () => {
    const lockedUntil = '2026-11-23T15:45:00.000Z';
    fakeApi({
      'GET /api/admin/setup': () => ({ body: { needsSetup: false } }),
      'POST /api/admin/login': () => ({
        status: 429,
        body: { error: { code: 'locked_out', params: { lockedUntil }, message: 'Too many failed sign-ins; this account is locked for a while', details: { lockedUntil } } },
      }),
    });
    render(<DashboardApp initialPath="/" />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'admin');
    await user.type(screen.getByLabelText('Password'), 'whatever-123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Account locked')).toBeTruthy();
    expect(screen.getByText(new RegExp(`locked until ${dayjs(lockedUntil).format('HH:mm')}`))).toBeTruthy();
  });

  it('says when the account itself cannot sign in (disabled), not "wrong password"', async () => {
    fakeApi({
      'GET /api/admin/setup': () => ({ body: { needsSetup: false } }),
      'POST /api/admin/login': () => ({ status: 403, body: { error: { code: 'account_disabled', message: 'This operator account is disabled' } } }),
    });
    render(<DashboardApp initialPath="/" />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Username'), 'night-op');
    await user.type(screen.getByLabelText('Password'), 'whatever-123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('This account cannot sign in')).toBeTruthy();
    expect(screen.getByText('This operator account is disabled. Another administrator can enable it.')).toBeTruthy();
  });

  it('shows the first-run page when no administrator exists, and signs in after creating one', async () => {
    const { calls } = fakeApi({
      'GET /api/admin/setup': () => ({ body: { needsSetup: true } }),
      'POST /api/admin/setup': () => ({ status: 201, body: { token: 'session-1', expiresAt: '2026-11-24T00:00:00Z', user: { id: 1, username: 'root-op', role: 'admin' } } }),
      'GET /api/admin/me': () => ({ body: { id: 1, username: 'root-op', role: 'admin', kind: 'session' } }),
      'GET /api/admin/status': () => ({ body: { version: '0.1.0', startedAt: '', uptimeSeconds: 5, adminUrl: null, apiUrl: null, dataDir: '/d', databaseBytes: 1, counts: { accounts: 1, channels: 0, packages: 3 } } }),
    });
    render(<DashboardApp initialPath="/" />);
    const user = userEvent.setup();
    expect(await screen.findByText('Create the first administrator')).toBeTruthy();
    await user.clear(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'root-op');
    await user.type(screen.getByLabelText('Password'), 'first-admin-pass');
    await user.type(screen.getByLabelText('Repeat password'), 'first-admin-pass');
    await user.click(screen.getByRole('button', { name: 'Create administrator' }));
    expect(await screen.findByTestId('signed-in-user')).toBeTruthy();
    expect(calls.find((c) => c.path === '/api/admin/setup' && c.method === 'POST')!.body).toEqual({ username: 'root-op', password: 'first-admin-pass' });
    expect(sessionStorage.getItem('cas.session')).toBe('session-1');
  });
});
