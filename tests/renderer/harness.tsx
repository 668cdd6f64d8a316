import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { MemoryRouter } from 'react-router';
import { Providers, createQueryClient } from '../../src-renderer/src/app';
import { api } from '../../src-renderer/src/shared/api/client';

/** What antd needs from a browser that jsdom lacks. */
export function installBrowserShims(): void {
  if (!window.matchMedia) {
    Object.defineProperty(window, 'matchMedia', {
      configurable: true,
      value: (query: string) => ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => undefined,
        removeListener: () => undefined,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
        dispatchEvent: () => false,
      }),
    });
  }
  if (!('ResizeObserver' in window)) {
    (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }
  if (!('scrollIntoView' in window.HTMLElement.prototype)) {
    Object.defineProperty(window.HTMLElement.prototype, 'scrollIntoView', { configurable: true, value: () => undefined });
  }
}

export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

type Handler = (call: Call) => { status?: number; body?: unknown } | undefined;

/**
 * A stand-in for the admin API at the network edge (component tests only; the end-to-end tests
 * use the real server). Records every call; unknown routes answer 404 in the API's error shape.
 */
export function fakeApi(routes: Record<string, Handler>): { calls: Call[] } {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) => {
    const url = new URL(input, 'http://127.0.0.1');
    const method = (init.method ?? 'GET').toUpperCase();
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : init.body;
    const call = { method, path: url.pathname, query: url.searchParams, body };
    calls.push(call);
    const handler = routes[`${method} ${url.pathname}`];
    const answer = handler?.(call) ?? { status: 404, body: { error: { code: 'not_found', message: `No route for ${method} ${url.pathname}` } } };
    const status = answer.status ?? 200;
    return Promise.resolve(
      new Response(status === 204 ? null : JSON.stringify(answer.body ?? null), {
        status,
        headers: { 'content-type': 'application/json' },
      }),
    );
  });
  return { calls };
}

export function renderWithProviders(ui: ReactElement) {
  api.token = 'test-session';
  return render(
    <Providers queryClient={createQueryClient()}>
      <MemoryRouter>{ui}</MemoryRouter>
    </Providers>,
  );
}
