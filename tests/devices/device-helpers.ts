import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import type { TestCas } from '../helpers/test-cas';
import {
  CasClient,
  generateDeviceKeyPair,
  signedAuthRequest,
  type DeviceKeyPair,
} from '../../src-shared/client';

export interface Subscriber {
  id: number;
  username: string;
  token: string;
}

let counter = 0;

/** Creates a package carrying `channels` (created too, when missing) and returns its id. */
export async function makePackage(t: TestCas, channels: string[], id = `pkg-${++counter}`): Promise<string> {
  for (const channel of channels) {
    const existing = await t.admin.get(`/api/admin/channels/${channel}`);
    if (existing.status === 404) {
      const created = await t.admin.post('/api/admin/channels', { id: channel, name: `Channel ${channel}`, number: ++counter });
      expect(created.status).toBe(201);
    }
  }
  const answer = await t.admin.post('/api/admin/packages', { id, name: id, channels });
  expect(answer.status).toBe(201);
  return id;
}

export async function makeSubscriber(t: TestCas, fields: Record<string, unknown> = {}): Promise<Subscriber> {
  const username = (fields.username as string | undefined) ?? `viewer${++counter}`;
  const answer = await t.admin.post('/api/admin/accounts', { username, ...fields });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.id, username, token: answer.body.token };
}

export function nowSeconds(t: TestCas): number {
  return Math.floor(t.clock.now() / 1000);
}

/** A signed sign-in body for the subscriber at the test clock's time. */
export function authBody(
  t: TestCas,
  subscriber: Subscriber,
  hwid: string,
  overrides: { ts?: number; nonce?: string; devicePublicKey?: Uint8Array; token?: string } = {},
) {
  return signedAuthRequest({
    username: subscriber.username,
    token: overrides.token ?? subscriber.token,
    hwid,
    ts: overrides.ts ?? nowSeconds(t),
    nonce: overrides.nonce,
    devicePublicKey: overrides.devicePublicKey,
  });
}

/** The reference client against the test CAS, on the test clock. */
export function clientFor(t: TestCas, subscriber: Subscriber, hwid: string, deviceKeys: DeviceKeyPair = generateDeviceKeyPair()): CasClient {
  return new CasClient({
    baseUrl: t.cas.apiUrl,
    username: subscriber.username,
    token: subscriber.token,
    hwid,
    deviceKeys,
    now: () => t.clock.now(),
    fetch: (url, init) => fetch(url, init),
  });
}

/**
 * One HTTP request to the CAS from a chosen loopback source address (127.0.0.0/8 is all local on
 * Linux), so tests can be many viewer addresses without trusting any forwarded header.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  options: { method?: string; body?: unknown; bearer?: string } = {},
): Promise<{ status: number; body: any }> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: options.method ?? (payload ? 'POST' : 'GET'),
        localAddress,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : null });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
