// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen } from '@testing-library/react';
import { DashboardPage } from '../../src-renderer/src/features/dashboard/dashboard-page';
import { AuthTestProvider } from './auth-test-provider';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import { fakeApi, installBrowserShims, renderWithProviders } from './harness';

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

const FINGERPRINT = 'A5:CA:27:A6:53:D9:5B:DB:0D:6B:4A:3A:8D:7D:2C:B4:E0:D7:2B:13:DD:40:B3:6F:0D:34:0D:5D:8B:4E:77:41';

describe('the dashboard server card', () => {
  it('shows the HTTPS port and the SHA-256 fingerprint of the certificate clients must trust', async () => {
    fakeApi({
      'GET /api/admin/status': () => ({
        body: {
          version: '0.1.0',
          startedAt: '',
          uptimeSeconds: 5,
          adminUrl: 'http://127.0.0.1:5050',
          apiUrl: 'http://127.0.0.1:8100',
          apiTlsUrl: 'https://127.0.0.1:8443',
          tls: { fingerprint256: FINGERPRINT, names: ['cas.lan'], validTo: '2029-01-01T00:00:00.000Z', selfSigned: true },
          dataDir: '/d',
          databaseBytes: 1,
          counts: { accounts: 1, channels: 0, packages: 3 },
          alarms: [],
        },
      }),
    });
    renderWithProviders(
      <AuthTestProvider role="admin">
        <DashboardPage />
      </AuthTestProvider>,
    );
    expect((await screen.findByTestId('tls-fingerprint')).textContent).toContain(FINGERPRINT);
    expect(screen.getByText('8443')).toBeTruthy();
    expect(screen.getByText(/self-signed: clients must trust this certificate/)).toBeTruthy();
  });
});
