import { expect } from 'vitest';
import type { HttpClient, TestCas } from '../helpers/test-cas';

/** Creates a channel (and its package links) through the admin API. */
export async function createChannel(t: TestCas, body: Record<string, unknown>): Promise<any> {
  const answer = await t.admin.post('/api/admin/channels', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

let counter = 0;

/** Creates a subscriber account; returns it with its token. */
export async function createViewer(t: TestCas, body: Record<string, unknown> = {}): Promise<any> {
  counter++;
  const answer = await t.admin.post('/api/admin/accounts', { username: `viewer-${process.pid}-${counter}`, ...body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

export async function patchSettings(t: TestCas, patch: Record<string, unknown>): Promise<void> {
  const answer = await t.admin.patch('/api/admin/settings', patch);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
}

/** Asks the Astra backend as Astra would. */
export function astra(
  client: HttpClient,
  query: string,
  headers: { ip: string; channel: string; session?: string; ua?: string },
) {
  return client.get(`/auth/astra${query ? `?${query}` : ''}`, {
    'x-real-ip': headers.ip,
    'x-channel-id': headers.channel,
    ...(headers.session ? { 'x-session-id': headers.session } : {}),
    ...(headers.ua ? { 'x-real-ua': headers.ua } : {}),
    'x-real-path': `/${headers.channel}`,
    'x-real-host': 'tv.example',
  });
}
