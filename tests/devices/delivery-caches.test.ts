import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { generateDeviceKeyPair, openEnvelope } from '../../src-shared/client';
import { base64ToBytes } from '../../src-shared/protocol/device-encoding';
import { ECM_FORMAT, EMM_FORMAT, type SignedEnvelope } from '../../src-shared/protocol/device-envelope';
import type { EcmPayload } from '../../src-shared/protocol/ecm';
import type { EmmPayload } from '../../src-shared/protocol/emm';
import { authBody, clientFor, makePackage, makeSubscriber } from './device-helpers';

/**
 * ECM and EMM requests find the device session, its device, the control words and package keys
 * in memory — and every event that changes them (session revoked or ended, device unbound or
 * re-keyed, account changed, key rotation) takes effect at the next request.
 */
let t: TestCas;
let pkg: string;

beforeAll(async () => {
  t = await startTestCas();
  pkg = await makePackage(t, ['dc-ch']);
});
afterAll(async () => {
  await t.dispose();
});

const counts = () => ({ ...t.cas.services.diagnostics.counts });

async function signedIn(hwid = 'DC-BOX') {
  const sub = await makeSubscriber(t, { packages: [pkg], maxConnections: 0 });
  const keys = generateDeviceKeyPair();
  const auth = await clientFor(t, sub, hwid, keys).auth();
  return { sub, keys, auth, http: t.client.withToken(auth.session.token) };
}

describe('ECM and EMM from memory', () => {
  it('serves warm ECMs and EMMs without reading the session, unsealing a key or building again', async () => {
    const { http } = await signedIn();
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
    expect((await http.get('/api/v1/client/emm')).status).toBe(200);
    const before = counts();
    for (let i = 0; i < 5; i++) {
      expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
      expect((await http.get('/api/v1/client/emm')).status).toBe(200);
    }
    const after = counts();
    expect(after.deviceSessionReads - before.deviceSessionReads).toBe(0);
    expect(after.keyUnseals - before.keyUnseals).toBe(0);
    expect(after.ecmBuilds - before.ecmBuilds).toBe(0);
    expect(after.emmBuilds - before.emmBuilds).toBe(0);
  });

  it('refuses the next ECM at once when the operator revokes the session', async () => {
    const { sub, http } = await signedIn();
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
    const sessions = await t.admin.get(`/api/admin/device-sessions?accountId=${sub.id}`);
    expect((await t.admin.delete(`/api/admin/device-sessions/${sessions.body.items[0].id}`)).status).toBe(204);
    const refused = await http.get('/api/v1/client/ecm/dc-ch');
    expect(refused.status).toBe(401);
    expect(refused.body.error.reason).toBe('session_invalid');
  });

  it('refuses the next ECM at once when every session of the account is revoked', async () => {
    const { sub, http } = await signedIn();
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
    expect((await t.admin.post('/api/admin/device-sessions/revoke', { accountId: sub.id })).status).toBe(200);
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(401);
  });

  it('refuses the next ECM at once when the device is unbound', async () => {
    const { sub, auth, http } = await signedIn();
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
    expect((await t.admin.delete(`/api/admin/accounts/${sub.id}/devices/${auth.device.id}`)).status).toBe(204);
    expect((await http.get('/api/v1/client/ecm/dc-ch')).status).toBe(401);
  });

  it('refuses the next ECM and EMM at once when the account is disabled or loses the package', async () => {
    const disabled = await signedIn();
    const unpackaged = await signedIn();
    for (const d of [disabled, unpackaged]) expect((await d.http.get('/api/v1/client/ecm/dc-ch')).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${disabled.sub.id}`, { enabled: false });
    await t.admin.patch(`/api/admin/accounts/${unpackaged.sub.id}`, { packages: [] });
    expect((await disabled.http.get('/api/v1/client/ecm/dc-ch')).status).not.toBe(200);
    expect((await disabled.http.get('/api/v1/client/emm')).status).not.toBe(200);
    const refused = await unpackaged.http.get('/api/v1/client/ecm/dc-ch');
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('not_entitled');
  });

  it('seals the EMM of an earlier session to the box key the device registered at its latest sign-in', async () => {
    const first = await signedIn('DC-REKEY');
    expect((await first.http.get('/api/v1/client/emm')).status).toBe(200);
    const newKeys = generateDeviceKeyPair();
    await clientFor(t, first.sub, 'DC-REKEY', newKeys).auth();
    const envelope = (await first.http.get('/api/v1/client/emm')).body;
    const payload = openEnvelope(envelope, EMM_FORMAT, base64ToBytes(first.auth.casPublicKey)!) as { boxPublicKey: string };
    expect(base64ToBytes(payload.boxPublicKey)).toEqual(newKeys.publicKey);
  });

  it('serves ECMs and EMMs with the new keys at once after a rotation', async () => {
    const { http, auth } = await signedIn();
    const casKey = base64ToBytes(auth.casPublicKey)!;
    const ecm = async () => openEnvelope((await http.get<SignedEnvelope>('/api/v1/client/ecm/dc-ch')).body, ECM_FORMAT, casKey) as EcmPayload;
    const emm = async () => openEnvelope((await http.get<SignedEnvelope>('/api/v1/client/emm')).body, EMM_FORMAT, casKey) as EmmPayload;
    const ecmBefore = await ecm();
    const emmBefore = await emm();
    await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'dc-ch' });
    const ecmAfter = await ecm();
    expect(ecmAfter.periods[0].generation).toBe(ecmBefore.periods[0].generation + 1);
    await t.admin.post('/api/admin/keys/rotate', { kind: 'emm', package: pkg });
    const emmAfter = await emm();
    expect(emmAfter.sealed).not.toBe(emmBefore.sealed);
    const ecmNewEpoch = await ecm();
    expect(ecmNewEpoch.periods[0].keys[0].epoch).toBeGreaterThan(ecmAfter.periods[0].keys[0].epoch);
  });
});

describe('sign-ins committed together', () => {
  it('commits concurrent sign-ins together, each on its own: a repeated nonce is refused, the others all pass', async () => {
    const subs = await Promise.all(Array.from({ length: 6 }, () => makeSubscriber(t, { packages: [pkg], maxConnections: 0 })));
    const ts = Math.floor(t.clock.now() / 1000);
    const bodies = subs.map((s, i) => authBody(t, s, `GC-${i}`, { ts }));
    const answers = await Promise.all([...bodies, bodies[0]].map((body) => t.client.post('/api/v1/client/auth', body)));
    expect(answers.slice(1, 6).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const first = [answers[0], answers[6]];
    expect(first.map((a) => a.status).sort()).toEqual([200, 401]);
    expect(first.find((a) => a.status === 401)!.body.error.reason).toBe('replay');
  });
});
