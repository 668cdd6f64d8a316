import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { deviceAuthSignature } from '../../src-shared/client';
import { authBody, makePackage, makeSubscriber, nowSeconds } from './device-helpers';

let t: TestCas;
let pkg: string;

beforeAll(async () => {
  t = await startTestCas();
  pkg = await makePackage(t, ['news', 'sport']);
});
afterAll(async () => {
  await t.dispose();
});

describe('device sign-in', () => {
  it('answers a session, the CAS public key and the entitled channels for a correct HMAC', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const answer = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-0001'));
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.session.token).toMatch(/^dvs_/);
    expect(answer.body.session.expiresIn).toBe(3600);
    expect(Buffer.from(answer.body.casPublicKey, 'base64')).toHaveLength(32);
    expect(answer.body.device.hwid).toBe('STB-0001');
    expect(answer.body.streamInfo.channels.map((c: { id: string }) => c.id).sort()).toEqual(['news', 'sport']);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('computes the signature exactly as documented: HMAC-SHA256 over username, hwid, ts and nonce joined by newlines', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const ts = nowSeconds(t);
    const nonce = 'documented-nonce-0001';
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', sub.token).update(`${sub.username}\nBOX-9\n${ts}\n${nonce}`).digest('hex');
    expect(deviceAuthSignature(sub.token, sub.username, 'BOX-9', ts, nonce)).toBe(sig);
    const answer = await t.client.post('/api/v1/client/auth', { username: sub.username, hwid: 'BOX-9', ts, nonce, sig });
    expect(answer.status).toBe(200);
  });

  it('matches the test vector of docs/protocol.md', () => {
    expect(deviceAuthSignature('A'.repeat(43), 'alice', 'STB-1', 1700000000, '0123456789abcdef')).toBe(
      '8b4293f41cfdc66a51613ca31413d3eebc6446b82984ec719c646eadcdb5f131',
    );
  });

  it('refuses a wrong signature with 401 bad_credential, the same as an unknown user', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const wrong = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-1', { token: `${sub.token}x` }));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.reason).toBe('bad_credential');
    const unknown = await t.client.post('/api/v1/client/auth', authBody(t, { ...sub, username: 'nobody-here' }, 'STB-1'));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.reason).toBe('bad_credential');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('refuses a timestamp more than 300 s away and tells the server time', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const late = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-2', { ts: nowSeconds(t) - 301 }));
    expect(late.status).toBe(401);
    expect(late.body.error.reason).toBe('ts_out_of_window');
    expect(late.body.error.details.serverTime).toBe(nowSeconds(t));
    const early = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-2', { ts: nowSeconds(t) + 301 }));
    expect(early.body.error.reason).toBe('ts_out_of_window');
    const edge = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-2', { ts: nowSeconds(t) - 300 }));
    expect(edge.status).toBe(200);
  });

  it('accepts a nonce once: the same signed request replayed is 401 replay', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const body = authBody(t, sub, 'STB-3');
    expect((await t.client.post('/api/v1/client/auth', body)).status).toBe(200);
    const replay = await t.client.post('/api/v1/client/auth', body);
    expect(replay.status).toBe(401);
    expect(replay.body.error.reason).toBe('replay');
  });

  it('lets exactly one of several simultaneous copies of a signed request in', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const body = authBody(t, sub, 'STB-PAR');
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.client.post('/api/v1/client/auth', body)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.body.error?.reason === 'replay')).toHaveLength(5);
  });

  it('uses up the nonce of a refused request, so it cannot be replayed once the refusal is lifted', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg], enabled: false });
    const body = authBody(t, sub, 'STB-LIFT');
    expect((await t.client.post('/api/v1/client/auth', body)).body.error.reason).toBe('disabled');
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { enabled: true });
    expect((await t.client.post('/api/v1/client/auth', body)).body.error.reason).toBe('replay');
    expect((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'STB-LIFT'))).status).toBe(200);
  });

  it('keeps refusing a replay after a restart, and until its timestamp has left the window', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const body = authBody(t, sub, 'STB-4');
    expect((await t.client.post('/api/v1/client/auth', body)).status).toBe(200);
    t = await t.restart();
    t.clock.advance(299_000);
    t.cas.services.deviceSessions.sweep();
    expect((await t.client.post('/api/v1/client/auth', body)).body.error.reason).toBe('replay');
    t.clock.advance(2_000);
    expect((await t.client.post('/api/v1/client/auth', body)).body.error.reason).toBe('ts_out_of_window');
  });

  it('binds new HWIDs up to max_devices, then refuses with 403 device_limit; a bound HWID still signs in', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg], maxDevices: 2, maxConnections: 3 });
    expect((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'A-1'))).status).toBe(200);
    expect((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'A-2'))).status).toBe(200);
    const third = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'A-3'));
    expect(third.status).toBe(403);
    expect(third.body.error.reason).toBe('device_limit');
    expect((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'A-1'))).status).toBe(200);
    const account = await t.admin.get(`/api/admin/accounts/${sub.id}`);
    expect(account.body.devices.map((d: { hwid: string }) => d.hwid)).toEqual(['A-1', 'A-2']);
    // Unbinding one frees a slot.
    await t.admin.delete(`/api/admin/accounts/${sub.id}/devices/${account.body.devices[1].id}`);
    expect((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'A-3'))).status).toBe(200);
  });

  it('refuses a disabled account with 403 disabled and an expired one with 403 expired', async () => {
    const disabled = await makeSubscriber(t, { packages: [pkg], enabled: false });
    const a = await t.client.post('/api/v1/client/auth', authBody(t, disabled, 'D-1'));
    expect(a.status).toBe(403);
    expect(a.body.error.reason).toBe('disabled');
    const expired = await makeSubscriber(t, { packages: [pkg], expiresAt: new Date(t.clock.now() - 1000).toISOString() });
    const b = await t.client.post('/api/v1/client/auth', authBody(t, expired, 'E-1'));
    expect(b.status).toBe(403);
    expect(b.body.error.reason).toBe('expired');
  });

  it('refuses an address outside the account allowed IPs with 403 ip_not_allowed', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg], allowedIps: ['10.9.8.0/24'] });
    const answer = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'IP-1'));
    expect(answer.status).toBe(403);
    expect(answer.body.error.reason).toBe('ip_not_allowed');
    const local = await makeSubscriber(t, { packages: [pkg], allowedIps: ['127.0.0.0/8'] });
    expect((await t.client.post('/api/v1/client/auth', authBody(t, local, 'IP-2'))).status).toBe(200);
  });

  it('answers 400 naming the field for malformed input', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const body = authBody(t, sub, 'X-1');
    const badSig = await t.client.post('/api/v1/client/auth', { ...body, sig: 'abc' });
    expect(badSig.status).toBe(400);
    expect(badSig.body.error.field).toBe('sig');
    const badHwid = await t.client.post('/api/v1/client/auth', { ...body, hwid: 'line\nbreak' });
    expect(badHwid.body.error.field).toBe('hwid');
    const badKey = await t.client.post('/api/v1/client/auth', { ...body, devicePublicKey: 'AAAA' });
    expect(badKey.body.error.field).toBe('devicePublicKey');
  });
});

describe('rate limit', () => {
  it('limits sign-ins per client address to deviceAuthPerMinute with 429', async () => {
    await t.admin.patch('/api/admin/settings', { deviceAuthPerMinute: 3 });
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.client.post('/api/v1/client/auth', authBody(t, sub, 'RL-1'))).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    await t.admin.patch('/api/admin/settings', { deviceAuthPerMinute: 120 });
  });
});

describe('device sessions', () => {
  it('lets the operator list and revoke a device session; the revoked bearer is refused at once', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'S-1'));
    const device = t.client.withToken(signIn.body.session.token);
    expect((await device.get('/api/v1/client/stream-info')).status).toBe(200);
    const list = await t.admin.get(`/api/admin/device-sessions?accountId=${sub.id}`);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0].hwid).toBe('S-1');
    expect(JSON.stringify(list.body)).not.toContain(signIn.body.session.token);
    expect((await t.admin.delete(`/api/admin/device-sessions/${list.body.items[0].id}`)).status).toBe(204);
    const after = await device.get('/api/v1/client/stream-info');
    expect(after.status).toBe(401);
    expect(after.body.error.reason).toBe('session_invalid');
    const audit = await t.admin.get('/api/admin/audit?action=device.session.revoke');
    expect(audit.body.total).toBeGreaterThanOrEqual(1);
  });

  it('revokes every session of an account at once', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg], maxDevices: 3, maxConnections: 3 });
    const tokens = [];
    for (const hwid of ['R-1', 'R-2']) tokens.push((await t.client.post('/api/v1/client/auth', authBody(t, sub, hwid))).body.session.token);
    const revoked = await t.admin.post('/api/admin/device-sessions/revoke', { accountId: sub.id });
    expect(revoked.body).toEqual({ revoked: 2 });
    for (const token of tokens) expect((await t.client.withToken(token).get('/api/v1/client/emm')).status).toBe(401);
  });

  it('expires sessions after deviceSessionMinutes', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'T-1'));
    const device = t.client.withToken(signIn.body.session.token);
    t.clock.advance(3_600_000);
    expect((await device.get('/api/v1/client/stream-info')).status).toBe(401);
  });

  it('ends the sessions of an account disabled after sign-in; signing in again is 403 disabled', async () => {
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'U-1'));
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { enabled: false });
    const answer = await t.client.withToken(signIn.body.session.token).get('/api/v1/client/stream-info');
    expect(answer.status).toBe(401);
    expect(answer.body.error.reason).toBe('session_invalid');
    const again = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'U-1'));
    expect(again.status).toBe(403);
    expect(again.body.error.reason).toBe('disabled');
  });
});
