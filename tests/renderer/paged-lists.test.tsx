// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SessionsPage } from '../../src-renderer/src/features/sessions/sessions-page';
import { setLanguage } from '../../src-renderer/src/shared/i18n/i18n';
import type { ViewingSession } from '../../src-shared/schemas/sessions';
import { fakeApi, installBrowserShims, renderWithProviders, type Call } from './harness';
import { AuthTestProvider } from './auth-test-provider';

function session(i: number, ip: string): ViewingSession {
  return {
    id: i,
    accountId: i,
    username: `viewer-${String(i).padStart(4, '0')}`,
    channelId: 'news',
    source: 'nginx',
    ip,
    userAgent: null,
    startedAt: '2026-11-01T00:00:00Z',
    lastSeenAt: '2026-11-01T00:05:00Z',
    endedAt: null,
    endReason: null,
    active: true,
    requests: 3,
    bytes: null,
  };
}

/** 120 sessions from 10.0.0.x and 3 from 192.0.2.7, paged and filtered as the server would. */
function sessions(call: Call) {
  const page = Number(call.query.get('page') ?? 1);
  const pageSize = Number(call.query.get('pageSize') ?? 50);
  const ip = call.query.get('ip');
  const all = Array.from({ length: 123 }, (_, i) => session(i + 1, i < 120 ? `10.0.0.${i % 250}` : '192.0.2.7')).filter((s) => !ip || s.ip === ip);
  return { body: { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pageSize } };
}

const routes = {
  'GET /api/admin/sessions': sessions,
  'GET /api/admin/channels': () => ({ body: { items: [], total: 0, page: 1, pageSize: 5000 } }),
};

beforeAll(() => {
  installBrowserShims();
  setLanguage('en');
});
afterEach(() => cleanup());

describe('paged lists', () => {
  it('a filter change on the Sessions page starts again at page 1', async () => {
    const { calls } = fakeApi(routes);
    renderWithProviders(
      <AuthTestProvider role="observer">
        <SessionsPage />
      </AuthTestProvider>,
    );
    await screen.findByText('viewer-0001');
    const user = userEvent.setup();
    await user.click(screen.getByTitle('3'));
    expect(await screen.findByText('viewer-0101')).toBeTruthy();
    const sessionCalls = () => calls.filter((c) => c.path === '/api/admin/sessions');
    expect(sessionCalls().at(-1)!.query.get('page')).toBe('3');

    await user.type(screen.getByLabelText('IP'), '192.0.2.7');
    // Page 3 of three matching sessions would be empty: the list asks for page 1 and shows them.
    expect(await screen.findByText('viewer-0121')).toBeTruthy();
    const last = sessionCalls().at(-1)!;
    expect(last.query.get('ip')).toBe('192.0.2.7');
    expect(last.query.get('page')).toBe('1');
    await waitFor(() => expect(screen.getByText('Total: 3')).toBeTruthy());
  });
});
