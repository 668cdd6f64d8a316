import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestCas, type HttpClient, type TestCas } from '../helpers/test-cas';

let t: TestCas;
let adminId: number;
let counter = 0;
const PASSWORD = 'operator-password-1';

beforeAll(async () => {
  t = await startTestCas();
  adminId = (await t.admin.get('/api/admin/me')).body.id;
});
afterAll(async () => {
  await t.dispose();
});

async function account(role: 'admin' | 'observer' | 'user', extra: Record<string, unknown> = {}): Promise<{ id: number; username: string }> {
  const username = `safety-${role}-${++counter}`;
  const created = await t.admin.post('/api/admin/accounts', { username, password: PASSWORD, role, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id, username };
}

async function signedIn(username: string): Promise<HttpClient> {
  const login = await t.anonymous.post('/api/admin/login', { username, password: PASSWORD });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return t.anonymous.withToken(login.body.token);
}

async function adminWriteKey(): Promise<HttpClient> {
  const created = await t.admin.post('/api/admin/api-keys', { name: `script-${++counter}`, scopes: ['admin-write'] });
  expect(created.status).toBe(201);
  return t.anonymous.withToken(created.body.key);
}

describe('nothing an operator does by accident locks them out', () => {
  it('refuses to disable, demote or expire the signed-in operator (409 own_account) and changes nothing', async () => {
    for (const patch of [{ enabled: false }, { role: 'observer' }, { role: 'user' }, { expiresAt: '2000-01-01T00:00:00Z' }]) {
      const answer = await t.admin.patch(`/api/admin/accounts/${adminId}`, patch);
      expect(answer.status, JSON.stringify(patch)).toBe(409);
      expect(answer.body.error.code).toBe('own_account');
      expect(answer.body.error.details).toEqual({ username: 'admin' });
    }
    const me = (await t.admin.get(`/api/admin/accounts/${adminId}`)).body;
    expect([me.enabled, me.role, me.expiresAt]).toEqual([true, 'admin', null]);
    expect((await t.admin.get('/api/admin/me')).status).toBe(200);
  });

  it('refuses to delete the signed-in operator', async () => {
    const answer = await t.admin.delete(`/api/admin/accounts/${adminId}`);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('own_account');
    expect((await t.admin.get('/api/admin/me')).status).toBe(200);
  });

  it('refuses a bulk disable or delete that includes the signed-in operator, as a whole', async () => {
    const subscriber = await account('user');
    for (const action of ['disable', 'delete'] as const) {
      const answer = await t.admin.post('/api/admin/accounts/bulk', { action, ids: [subscriber.id, adminId] });
      expect(answer.status, action).toBe(409);
      expect(answer.body.error.code).toBe('own_account');
    }
    expect((await t.admin.get(`/api/admin/accounts/${subscriber.id}`)).body.enabled).toBe(true);
  });

  it('still lets an operator change their own password and other operators', async () => {
    const other = await account('admin');
    const colleague = await account('admin');
    const client = await signedIn(other.username);
    expect((await client.patch(`/api/admin/accounts/${other.id}`, { comment: 'night shift', password: 'new-password-1' })).status).toBe(200);
    expect((await client.get('/api/admin/me')).status).toBe(200);
    expect((await client.patch(`/api/admin/accounts/${colleague.id}`, { role: 'observer' })).status).toBe(200);
    expect((await client.post('/api/admin/accounts/bulk', { action: 'disable', ids: [colleague.id] })).status).toBe(200);
  });

  it('refuses to leave no enabled administrator (409 last_admin), whoever asks', async () => {
    const script = await adminWriteKey();
    const admins = (await t.admin.get('/api/admin/accounts?role=admin&status=active&pageSize=500')).body.items as Array<{ id: number }>;
    const ids = admins.map((a) => a.id);
    for (const action of ['disable', 'delete'] as const) {
      const answer = await script.post('/api/admin/accounts/bulk', { action, ids });
      expect(answer.status, action).toBe(409);
      expect(answer.body.error.code).toBe('last_admin');
    }
    for (const patch of [{ enabled: false }, { role: 'observer' }]) {
      // One admin left standing: every other one goes first, then the last one is refused.
      if (ids.length > 1) expect((await script.post('/api/admin/accounts/bulk', { action: 'disable', ids: ids.slice(1) })).status).toBe(200);
      const answer = await script.patch(`/api/admin/accounts/${ids[0]}`, patch);
      expect(answer.status, JSON.stringify(patch)).toBe(409);
      expect(answer.body.error.code).toBe('last_admin');
    }
    expect((await script.delete(`/api/admin/accounts/${ids[0]}`)).body.error.code).toBe('last_admin');
    expect((await t.admin.get('/api/admin/me')).status).toBe(200);
    expect((await script.post('/api/admin/accounts/bulk', { action: 'enable', ids })).status).toBe(200);
  });
});

describe('sign-in says why an operator account cannot sign in, only to whoever knows its password', () => {
  it('names a disabled account after the right password, and nothing after a wrong one', async () => {
    const op = await account('observer', { enabled: false });
    const right = await t.anonymous.post('/api/admin/login', { username: op.username, password: PASSWORD });
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('account_disabled');
    const wrong = await t.anonymous.post('/api/admin/login', { username: op.username, password: 'not-the-password' });
    const unknown = await t.anonymous.post('/api/admin/login', { username: 'nobody-here', password: 'not-the-password' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'wrong_credentials']);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('names an expired account after the right password', async () => {
    const op = await account('admin', { expiresAt: new Date(t.clock.now() - 60_000).toISOString() });
    const right = await t.anonymous.post('/api/admin/login', { username: op.username, password: PASSWORD });
    expect(right.status).toBe(403);
    expect(right.body.error.code).toBe('account_expired');
    const wrong = await t.anonymous.post('/api/admin/login', { username: op.username, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
  });

  it('says locked_out for a locked account', async () => {
    const op = await account('admin');
    for (let i = 0; i < 5; i++) await t.anonymous.post('/api/admin/login', { username: op.username, password: 'nope-nope' });
    const answer = await t.anonymous.post('/api/admin/login', { username: op.username, password: PASSWORD });
    expect(answer.status).toBe(429);
    expect(answer.body.error.code).toBe('locked_out');
  });
});

describe('expiry dates as typed', () => {
  it('reads a date alone as the end of that day in UTC by default', async () => {
    const created = await account('user', { expiresAt: '2030-12-31' });
    expect((await t.admin.get(`/api/admin/accounts/${created.id}`)).body.expiresAt).toBe('2030-12-31T23:59:59.000Z');
  });

  it("reads a date alone in the operator's time zone in create, update and CSV import", async () => {
    expect((await t.admin.patch('/api/admin/settings', { timeZone: 'Europe/Berlin' })).status).toBe(200);
    try {
      const created = await account('user', { expiresAt: '2030-12-31' });
      expect((await t.admin.get(`/api/admin/accounts/${created.id}`)).body.expiresAt).toBe('2030-12-31T22:59:59.000Z');
      const summer = await t.admin.patch(`/api/admin/accounts/${created.id}`, { expiresAt: '2030-07-01' });
      expect(summer.body.expiresAt).toBe('2030-07-01T21:59:59.000Z');
      const withTime = await t.admin.patch(`/api/admin/accounts/${created.id}`, { expiresAt: '2030-07-01T12:00:00Z' });
      expect(withTime.body.expiresAt).toBe('2030-07-01T12:00:00.000Z');
      const imported = await t.admin.post('/api/admin/accounts/import', { csv: 'username,expiresAt\ncsv-dated,2030-12-31\n', dryRun: false });
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      const row = (await t.admin.get('/api/admin/accounts?q=csv-dated')).body.items[0];
      expect(row.expiresAt).toBe('2030-12-31T22:59:59.000Z');
    } finally {
      await t.admin.patch('/api/admin/settings', { timeZone: 'UTC' });
    }
  });

  it('refuses dates that do not exist and time zones that are not IANA names', async () => {
    const answer = await t.admin.post('/api/admin/accounts', { username: 'bad-date', expiresAt: '2030-02-31' });
    expect([answer.status, answer.body.error.field]).toEqual([400, 'expiresAt']);
    const zone = await t.admin.patch('/api/admin/settings', { timeZone: 'Mars/Olympus_Mons' });
    expect([zone.status, zone.body.error.field]).toEqual([400, 'timeZone']);
  });
});

describe('numbers are taken exactly or refused with their range', () => {
  it('refuses limits outside their range, naming it, instead of clamping', async () => {
    for (const [field, value, range] of [
      ['maxDevices', -5, 'Between 0 and 100'],
      ['maxConnections', 1001, 'Between 0 and 1000'],
      ['maxDevices', 1.5, 'Whole number, between 0 and 100'],
    ] as const) {
      const answer = await t.admin.post('/api/admin/accounts', { username: `limits-${++counter}`, [field]: value });
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe(field);
      expect(answer.body.error.message).toContain(range);
    }
    const unlimited = await account('user', { maxDevices: 0, maxConnections: 0 });
    const stored = (await t.admin.get(`/api/admin/accounts/${unlimited.id}`)).body;
    expect([stored.maxDevices, stored.maxConnections]).toEqual([0, 0]);
  });

  it('refuses a bulk extension by zero days', async () => {
    const answer = await t.admin.post('/api/admin/accounts/bulk', { action: 'extend', ids: [adminId], days: 0 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('Between 1 and 3650');
  });
});

describe('two channels cannot share a number', () => {
  it('answers 409 naming the channel that has the number, on create and on update', async () => {
    expect((await t.admin.post('/api/admin/channels', { id: 'first-seven', name: 'First Seven', number: 7 })).status).toBe(201);
    const second = await t.admin.post('/api/admin/channels', { id: 'second-seven', name: 'Second', number: 7 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'channel_number_taken', field: 'number', details: { number: 7, channelId: 'first-seven', channelName: 'First Seven' } });
    expect((await t.admin.post('/api/admin/channels', { id: 'second-seven', name: 'Second', number: 8 })).status).toBe(201);
    const moved = await t.admin.patch('/api/admin/channels/second-seven', { number: 7 });
    expect([moved.status, moved.body.error.details.channelId]).toEqual([409, 'first-seven']);
    expect((await t.admin.patch('/api/admin/channels/first-seven', { number: 7, name: 'Still Seven' })).status).toBe(200);
    expect((await t.admin.patch('/api/admin/channels/second-seven', { number: null })).status).toBe(200);
  });
});

it('keeps the bootstrap admin password usable throughout', async () => {
  expect((await t.anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
});
