import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, patchSettings } from '../access/access-helpers';
import { authBody, makePackage, makeSubscriber, requestFrom, type Subscriber } from './device-helpers';

let t: TestCas;
let pkg: string;
const CHANNEL = 'dc-one';

beforeAll(async () => {
  t = await startTestCas();
  pkg = await makePackage(t, [CHANNEL]);
  await patchSettings(t, { sharingMaxAddresses: 0, sharingByNetwork: false });
});
afterAll(async () => {
  await t.dispose();
});

function signInFrom(address: string, sub: Subscriber, hwid: string) {
  return requestFrom(address, `${t.cas.apiUrl}/api/v1/client/auth`, { body: authBody(t, sub, hwid) });
}

function ecmFrom(address: string, sessionToken: string) {
  return requestFrom(address, `${t.cas.apiUrl}/api/v1/client/ecm/${CHANNEL}`, { bearer: sessionToken });
}

describe('device connections under the connection limit', () => {
  it('refuse-newest: one HWID signing in from six addresses gets one session; the other five are 403 connection_limit', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => signInFrom(`127.0.1.${i}`, sub, 'CLONE-1')));
    const admitted = answers.filter((a) => a.status === 200);
    expect(admitted).toHaveLength(1);
    expect(answers.filter((a) => a.status === 403 && a.body.error.reason === 'connection_limit')).toHaveLength(5);
    // The same device signing in again from its own address keeps its one connection.
    const address = `127.0.1.${answers.indexOf(admitted[0]) + 1}`;
    const again = await signInFrom(address, sub, 'CLONE-1');
    expect(again.status).toBe(200);
    expect((await ecmFrom(address, again.body.session.token)).status).toBe(200);
  });

  it('end-oldest: each new address ends the older connection, whose session gets no ECM from then on', async () => {
    await patchSettings(t, { overLimitPolicy: 'end-oldest', endedSessionBanSeconds: 300 });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const tokens: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const answer = await signInFrom(`127.0.2.${i}`, sub, 'CLONE-2');
      expect(answer.status).toBe(200);
      tokens.push(answer.body.session.token);
    }
    for (let i = 0; i < 5; i++) {
      const refused = await ecmFrom(`127.0.2.${i + 1}`, tokens[i]);
      expect(refused.status).toBe(401);
      expect(refused.body.error.reason).toBe('session_invalid');
    }
    expect((await ecmFrom('127.0.2.6', tokens[5])).status).toBe(200);
    // An ended connection cannot sign straight back in and end the newest in turn.
    const back = await signInFrom('127.0.2.1', sub, 'CLONE-2');
    expect(back.status).toBe(403);
    expect(back.body.error.reason).toBe('session_ended');
  });

  it('handover: a second address is refused while the first is active, and takes over once it is silent', async () => {
    await patchSettings(t, { overLimitPolicy: 'handover', handoverSeconds: 20 });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const first = await signInFrom('127.0.3.1', sub, 'CLONE-3');
    expect(first.status).toBe(200);
    const refused = await signInFrom('127.0.3.2', sub, 'CLONE-3');
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('connection_limit');
    t.clock.advance(21_000);
    const second = await signInFrom('127.0.3.2', sub, 'CLONE-3');
    expect(second.status).toBe(200);
    expect((await ecmFrom('127.0.3.1', first.body.session.token)).status).toBe(401);
    expect((await ecmFrom('127.0.3.2', second.body.session.token)).status).toBe(200);
  });

  it('counts a device and a browser viewer together: with maxConnections 1 the second of them is refused', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const deviceFirst = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    expect((await signInFrom('127.0.4.1', deviceFirst, 'BOX-4')).status).toBe(200);
    const viewer = await astra(t.client, `token=${deviceFirst.token}`, { ip: '198.18.4.1', channel: CHANNEL, ua: 'VLC/3.0' });
    expect(viewer.status).not.toBe(200);
    expect(viewer.headers.get('x-cas-reason')).toBe('connection_limit');

    const viewerFirst = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    expect((await astra(t.client, `token=${viewerFirst.token}`, { ip: '198.18.4.2', channel: CHANNEL, ua: 'VLC/3.0' })).status).toBe(200);
    const device = await signInFrom('127.0.4.2', viewerFirst, 'BOX-4B');
    expect(device.status).toBe(403);
    expect(device.body.error.reason).toBe('connection_limit');
  });

  it('reopens the connection of a device that fell silent past the idle timeout (no sign-in needed)', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest', sessionIdleSeconds: 90 });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const signIn = await signInFrom('127.0.6.1', sub, 'IDLE-6');
    t.clock.advance(91_000);
    t.cas.services.access.sweep();
    expect((await ecmFrom('127.0.6.1', signIn.body.session.token)).status).toBe(200);
  });
});

describe('device connections on the dashboard', () => {
  it('lists a device connection among the viewing sessions; ending it there refuses the device at once', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const signIn = await signInFrom('127.0.7.1', sub, 'DASH-7');
    const list = await t.admin.get(`/api/admin/sessions?account=${sub.id}`);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({ source: 'device', userAgent: 'device DASH-7', ip: '127.0.7.1', active: true });
    const summary = await t.admin.get('/api/admin/dashboard/summary');
    expect(summary.body.viewersNow).toBeGreaterThanOrEqual(1);
    expect(summary.body.topChannels.map((c: { channelId: string }) => c.channelId)).not.toContain('');

    expect((await t.admin.delete(`/api/admin/sessions/${list.body.items[0].id}`)).status).toBe(204);
    const refused = await ecmFrom('127.0.7.1', signIn.body.session.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.reason).toBe('session_invalid');
  });
});

describe('sharing detection sees devices', () => {
  it('flags an account signed in by devices from more addresses than sharingMaxAddresses', async () => {
    await patchSettings(t, { sharingMaxAddresses: 2, sharingWindowMinutes: 30, overLimitPolicy: 'refuse-newest' });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 0, maxDevices: 0 });
    for (let i = 1; i <= 3; i++) expect((await signInFrom(`127.0.8.${i}`, sub, `SHARE-${i}`)).status).toBe(200);
    const flags = await t.admin.get(`/api/admin/access/sharing-flags?account=${sub.id}`);
    expect(flags.body.total).toBe(1);
    expect(flags.body.items[0].evidence.map((e: { address: string }) => e.address).sort()).toEqual(['127.0.8.1', '127.0.8.2', '127.0.8.3']);
  });

  it('flags an account whose one device session fetches ECMs from many addresses, naming the channel', async () => {
    await patchSettings(t, { sharingMaxAddresses: 2, sharingWindowMinutes: 30, overLimitPolicy: 'refuse-newest' });
    const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 1 });
    const signIn = await signInFrom('127.0.9.1', sub, 'ROAM-9');
    for (let i = 2; i <= 3; i++) expect((await ecmFrom(`127.0.9.${i}`, signIn.body.session.token)).status).toBe(200);
    const flags = await t.admin.get(`/api/admin/access/sharing-flags?account=${sub.id}`);
    expect(flags.body.total).toBe(1);
    const roaming = flags.body.items[0].evidence.find((e: { address: string }) => e.address === '127.0.9.3');
    expect(roaming.channels).toEqual([CHANNEL]);
  });
});
