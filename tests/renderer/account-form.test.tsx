// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AccountForm } from '../../src-renderer/src/features/accounts/account-form';
import { ApiRequestError } from '../../src-renderer/src/shared/api/client';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { Package } from '../../src-shared/schemas/packages';
import { installBrowserShims, renderWithProviders } from './harness';

const packages: Package[] = [
  { id: 'basic', name: 'Basic', description: '', channels: [], accountCount: 0, createdAt: '', updatedAt: '' },
  { id: 'premium', name: 'Premium', description: '', channels: [], accountCount: 0, createdAt: '', updatedAt: '' },
];

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

describe('account form', () => {
  it('shows the shared validation messages at their fields and sends nothing', async () => {
    const onSubmit = vi.fn();
    renderWithProviders(<AccountForm mode="create" account={null} packages={packages} readOnly={false} onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'ab');
    await user.type(screen.getByLabelText('E-mail'), 'not-an-email');
    await user.type(screen.getByLabelText('Allowed IPs'), '10.0.0.300,');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('At least 3 characters')).toBeTruthy();
    expect(screen.getByText('Not a valid e-mail address')).toBeTruthy();
    expect(screen.getByText('"10.0.0.300" is not an IP address or CIDR network')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('asks operators for a password, as the server does', async () => {
    const onSubmit = vi.fn();
    renderWithProviders(<AccountForm mode="create" account={null} packages={packages} readOnly={false} onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'new-observer');
    await user.click(screen.getByLabelText('Role'));
    await user.click(await screen.findByTitle('Observer'));
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('Admins and observers sign in with a password')).toBeTruthy();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends the API payload: empty e-mail as null, no expiry as null, no token left empty', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    renderWithProviders(<AccountForm mode="create" account={null} packages={packages} readOnly={false} onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'viewer-1');
    await user.type(screen.getByLabelText('Allowed IPs'), '192.0.2.0/24,');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toEqual({
      username: 'viewer-1',
      role: 'user',
      packages: [],
      maxConnections: 1,
      maxDevices: 1,
      expiresAt: null,
      allowedIps: ['192.0.2.0/24'],
      email: null,
      comment: '',
      enabled: true,
    });
  });

  it('shows a server refusal at the field it names', async () => {
    const onSubmit = vi.fn().mockRejectedValue(new ApiRequestError(409, { code: 'username_taken', params: { username: 'taken' }, message: 'Username "taken" is taken', field: 'username' }));
    renderWithProviders(<AccountForm mode="create" account={null} packages={packages} readOnly={false} onSubmit={onSubmit} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Username'), 'taken');
    await user.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('The username "taken" is taken.')).toBeTruthy();
  });

  it('is read-only for observers: every input disabled, no save button', () => {
    renderWithProviders(<AccountForm mode="edit" account={null} packages={packages} readOnly onSubmit={vi.fn()} onCancel={() => undefined} />);
    expect(screen.getByLabelText<HTMLInputElement>('Username').disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull();
  });

  it('speaks German after switching, including the shared rules\' messages', async () => {
    setLanguage('de');
    try {
      renderWithProviders(<AccountForm mode="create" account={null} packages={packages} readOnly={false} onSubmit={vi.fn()} onCancel={() => undefined} />);
      const user = userEvent.setup();
      await user.type(screen.getByLabelText('Benutzername'), 'ab');
      await user.click(screen.getByRole('button', { name: 'Anlegen' }));
      expect(await screen.findByText('Mindestens 3 Zeichen')).toBeTruthy();
      expect(localStorage.getItem('cas.language')).toBe('de');
    } finally {
      setLanguage('en');
    }
  });
});
