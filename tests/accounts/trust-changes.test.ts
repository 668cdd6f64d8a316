import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';
import { astra } from '../access/access-helpers';
import { authBody, makePackage, makeSubscriber, type Subscriber } from '../devices/device-helpers';

let t: TestCas;
let pkg: string;
let counter = 0;

beforeAll(async () => {
  t = await startTestCas();
  pkg = await makePackage(t, ['trust-ch']);
  await t.admin.patch('/api/admin/settings', { sharingMaxAddresses: 0 });
});
afterAll(async () => {
  await t.dispose();
});

const PASSWORD = 'operator-password-1';

/** An operator with `sessions` signed-in admin sessions (bearer clients). */
async function operator(role: 'admin' | 'observer', sessions = 1): Promise<{ id: number; username: string; clients: HttpClient[] }> {
  const username = `op-${++counter}`;
  const created = await t.admin.post('/api/admin/accounts', { username, password: PASSWORD, role });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const clients: HttpClient[] = [];
  for (let i = 0; i < sessions; i++) {
    const login = await t.anonymous.post('/api/admin/login', { username, password: PASSWORD });
    expect(login.status).toBe(200);
    clients.push(t.anonymous.withToken(login.body.token));
  }
  for (const client of clients) expect((await client.get('/api/admin/me')).status).toBe(200);
  return { id: created.body.id, username, clients };
}

async function expectSignedOut(client: HttpClient): Promise<void> {
  expect((await client.get('/api/admin/me')).status).toBe(401);
}

describe('admin sessions end when an operator is trusted less', () => {
  it('a password changed by another admin ends every session of that operator at once', async () => {
    const op = await operator('admin', 2);
    expect((await t.admin.patch(`/api/admin/accounts/${op.id}`, { password: 'operator-password-2' })).status).toBe(200);
    for (const client of op.clients) await expectSignedOut(client);
    expect((await t.anonymous.post('/api/admin/login', { username: op.username, password: 'operator-password-2' })).status).toBe(200);
  });

  it('an operator changing their own password keeps the session that changed it; their other sessions end', async () => {
    const op = await operator('admin', 2);
    const [self, other] = op.clients;
    expect((await self.patch(`/api/admin/accounts/${op.id}`, { password: 'operator-password-3' })).status).toBe(200);
    expect((await self.get('/api/admin/me')).status).toBe(200);
    await expectSignedOut(other);
  });

  it('demoting an admin to observer ends their sessions', async () => {
    const op = await operator('admin');
    expect((await t.admin.patch(`/api/admin/accounts/${op.id}`, { role: 'observer' })).status).toBe(200);
    await expectSignedOut(op.clients[0]);
  });

  it('demoting to user ends the sessions for good: promoting back does not revive them', async () => {
    const op = await operator('observer');
    await t.admin.patch(`/api/admin/accounts/${op.id}`, { role: 'user' });
    await t.admin.patch(`/api/admin/accounts/${op.id}`, { role: 'observer' });
    await expectSignedOut(op.clients[0]);
  });

  it('disabling an operator (one by one or in bulk) ends their sessions for good: enabling again does not revive them', async () => {
    const single = await operator('admin');
    const bulk = await operator('observer');
    await t.admin.patch(`/api/admin/accounts/${single.id}`, { enabled: false });
    expect((await t.admin.post('/api/admin/accounts/bulk', { action: 'disable', ids: [bulk.id] })).status).toBe(200);
    await t.admin.post('/api/admin/accounts/bulk', { action: 'enable', ids: [single.id, bulk.id] });
    await expectSignedOut(single.clients[0]);
    await expectSignedOut(bulk.clients[0]);
  });

  it('expiring an operator ends their sessions for good: extending again does not revive them', async () => {
    const op = await operator('admin');
    await t.admin.patch(`/api/admin/accounts/${op.id}`, { expiresAt: new Date(t.clock.now() - 1000).toISOString() });
    await t.admin.patch(`/api/admin/accounts/${op.id}`, { expiresAt: new Date(t.clock.now() + 86_400_000).toISOString() });
    await expectSignedOut(op.clients[0]);
  });

  it('keeps the sessions when nothing about trust changed (comment, e-mail)', async () => {
    const op = await operator('admin');
    await t.admin.patch(`/api/admin/accounts/${op.id}`, { comment: 'night shift', email: 'op@example.com' });
    expect((await op.clients[0].get('/api/admin/me')).status).toBe(200);
  });
});

describe('device and viewing sessions end when a subscriber is trusted less', () => {
  async function signedIn(sub: Subscriber, hwid: string): Promise<HttpClient> {
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, hwid));
    expect(signIn.status).toBe(200);
    const device = t.client.withToken(signIn.body.session.token);
    expect((await device.get('/api/v1/client/emm')).status).not.toBe(401);
    return device;
  }

  /** Lets the devices' connections end by silence: only the device sessions themselves are left to end. */
  function fallSilent(): void {
    t.clock.advance(91_000);
    t.cas.services.access.sweep();
  }

  async function expectDeviceSignedOut(device: HttpClient): Promise<void> {
    const answer = await device.get('/api/v1/client/stream-info');
    expect(answer.status).toBe(401);
    expect(answer.body.error.reason).toBe('session_invalid');
  }

  it('regenerating the token ends the device sessions signed in with the old one, and the viewing sessions', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 2 });
    const device = await signedIn(sub, 'TRUST-1');
    expect((await astra(t.client, `token=${sub.token}`, { ip: '198.18.20.1', channel: 'trust-ch', ua: 'VLC/3.0' })).status).toBe(200);
    expect((await t.admin.post(`/api/admin/accounts/${sub.id}/token`)).status).toBe(200);
    await expectDeviceSignedOut(device);
    const active = await t.admin.get(`/api/admin/sessions?account=${sub.id}`);
    expect(active.body.total).toBe(0);
    const ended = await t.admin.get(`/api/admin/sessions?account=${sub.id}&state=ended`);
    expect(ended.body.items.map((s: { endReason: string }) => s.endReason)).toEqual(['account_changed', 'account_changed']);
  });

  it('disabling an account ends its device sessions for good: enabling it again does not revive them', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const bulkSub = await makeSubscriber(t, { packages: [pkg] });
    const device = await signedIn(sub, 'TRUST-2');
    const bulkDevice = await signedIn(bulkSub, 'TRUST-3');
    fallSilent();
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { enabled: false });
    await t.admin.post('/api/admin/accounts/bulk', { action: 'disable', ids: [bulkSub.id] });
    await t.admin.post('/api/admin/accounts/bulk', { action: 'enable', ids: [sub.id, bulkSub.id] });
    await expectDeviceSignedOut(device);
    await expectDeviceSignedOut(bulkDevice);
  });

  it('expiring an account ends its device sessions for good: extending it again does not revive them', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const device = await signedIn(sub, 'TRUST-4');
    fallSilent();
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { expiresAt: new Date(t.clock.now() - 1000).toISOString() });
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { expiresAt: null });
    await expectDeviceSignedOut(device);
  });
});
