import nacl from 'tweetnacl';
import { blake2b } from '@noble/hashes/blake2b';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestCas, type TestCas } from '../helpers/test-cas';
import {
  CasClient,
  controlWordFromEcm,
  generateDeviceKeyPair,
  openEmm,
  openEnvelope,
  PackageKeyRing,
} from '../../src-shared/client';
import { base64ToBytes, bytesToBase64 } from '../../src-shared/protocol/device-encoding';
import { ECM_FORMAT, EMM_FORMAT, envelopeSignedBytes } from '../../src-shared/protocol/device-envelope';
import { authBody, clientFor, makePackage, makeSubscriber, nowSeconds } from './device-helpers';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

/** Moves the clock and signs the operator in again (admin sessions last 12 hours). */
async function advance(ms: number) {
  t.clock.advance(ms);
  const login = await t.anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD });
  t.admin = t.anonymous.withToken(login.body.token);
}

async function signedInDevice(packages: string[], hwid = 'BOX', fields: Record<string, unknown> = {}) {
  const sub = await makeSubscriber(t, { packages, ...fields });
  const keys = generateDeviceKeyPair();
  const client = clientFor(t, sub, hwid, keys);
  const auth = await client.auth();
  return { sub, keys, client, auth, http: t.client.withToken(auth.session.token) };
}

describe('signatures', () => {
  it('signs every ECM and EMM with the CAS ed25519 key, verifiable by tweetnacl, and a changed byte fails', async () => {
    const pkg = await makePackage(t, ['sig-ch']);
    const { http, auth } = await signedInDevice([pkg]);
    const casKey = base64ToBytes(auth.casPublicKey)!;
    expect((await t.client.get('/api/v1/client/cas-key')).body.publicKey).toBe(auth.casPublicKey);
    for (const [path, format] of [
      ['/api/v1/client/ecm/sig-ch', ECM_FORMAT],
      ['/api/v1/client/emm', EMM_FORMAT],
    ] as const) {
      const envelope = (await http.get(path)).body;
      expect(envelope.format).toBe(format);
      const payload = base64ToBytes(envelope.payload)!;
      const signature = base64ToBytes(envelope.signature)!;
      expect(nacl.sign.detached.verify(envelopeSignedBytes(format, payload), signature, casKey)).toBe(true);
      const tampered = Uint8Array.from(payload);
      tampered[10] ^= 1;
      expect(() => openEnvelope({ ...envelope, payload: bytesToBase64(tampered) }, format, casKey)).toThrow(/does not verify/);
      // An EMM never passes as an ECM (the format name is signed).
      const other = format === ECM_FORMAT ? EMM_FORMAT : ECM_FORMAT;
      expect(() => openEnvelope({ ...envelope, format: other }, other, casKey)).toThrow(/does not verify/);
    }
  });

  it('makes the reference client refuse a CAS whose signing key differs from the pinned one', async () => {
    const pkg = await makePackage(t, ['pin-ch']);
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const client = new CasClient({
      baseUrl: t.cas.apiUrl,
      username: sub.username,
      token: sub.token,
      hwid: 'PINNED',
      deviceKeys: generateDeviceKeyPair(),
      casPublicKey: nacl.sign.keyPair().publicKey,
      now: () => t.clock.now(),
    });
    await expect(client.auth()).rejects.toThrow(/different signing key/);
  });

  it('keeps the signing key across restarts, sealed under the master key', async () => {
    const before = (await t.client.get('/api/v1/client/cas-key')).body.publicKey;
    t = await t.restart();
    expect((await t.client.get('/api/v1/client/cas-key')).body.publicKey).toBe(before);
    const row = t.cas.ctx.db.prepare('SELECT seed_sealed FROM cas_signing_keys').get() as { seed_sealed: Buffer };
    expect(row.seed_sealed.length).toBe(1 + 12 + 32 + 16);
  });
});

describe('ECM and EMM', () => {
  it('gives the reference client the same control word and IV the packager API hands out', async () => {
    const pkg = await makePackage(t, ['same-ch']);
    const { client } = await signedInDevice([pkg]);
    const word = await client.controlWord('same-ch');
    const { current } = t.cas.services.keys.controlWords.currentControlWords('same-ch');
    expect(Buffer.from(word.key).equals(current.key)).toBe(true);
    expect(Buffer.from(word.iv).equals(current.iv)).toBe(true);
    expect(word.period).toBe(current.period);
  });

  it('seals the EMM so that only the device secret key opens it, with current and next epoch keys', async () => {
    const pkg = await makePackage(t, ['emm-ch']);
    const { http, auth, keys } = await signedInDevice([pkg]);
    const envelope = (await http.get('/api/v1/client/emm')).body;
    const casKey = base64ToBytes(auth.casPublicKey)!;
    const opened = openEmm(envelope, casKey, keys);
    expect(opened.keys.map((k) => k.package)).toEqual([pkg, pkg]);
    const { current, next } = t.cas.services.keys.packageEpochs.currentPackageKeys(pkg);
    expect(opened.keys.map((k) => k.epoch)).toEqual([current.epoch, next.epoch]);
    expect(Buffer.from(base64ToBytes(opened.keys[0].key)!).equals(current.key)).toBe(true);
    expect(opened.payload.entitlements).toEqual([{ package: pkg, until: null }]);
    expect(() => openEmm(envelope, casKey, generateDeviceKeyPair())).toThrow(/another device key/);
    // The package keys are not in clear anywhere in the answer.
    expect(JSON.stringify(envelope)).not.toContain(bytesToBase64(current.key));
  });

  it('seals the EMM exactly as libsodium crypto_box_seal: ephemeral key, BLAKE2b-192 nonce, crypto_box', async () => {
    const pkg = await makePackage(t, ['seal-ch']);
    const { http, keys } = await signedInDevice([pkg]);
    const envelope = (await http.get('/api/v1/client/emm')).body;
    const payload = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    const sealed = base64ToBytes(payload.sealed)!;
    const ephemeral = sealed.subarray(0, 32);
    const nonce = blake2b(new Uint8Array([...ephemeral, ...keys.publicKey]), { dkLen: 24 });
    const opened = nacl.box.open(sealed.subarray(32), nonce, ephemeral, keys.secretKey);
    expect(opened).not.toBeNull();
    expect(JSON.parse(Buffer.from(opened!).toString('utf8')).keys).toHaveLength(2);
  });

  it('signs an ECM once per channel and period, serves it from memory, and rebuilds after a rotation or a new period', async () => {
    const pkg = await makePackage(t, ['cache-ch']);
    await t.admin.patch('/api/admin/channels/cache-ch', { cryptoPeriodSeconds: 60 });
    const { http } = await signedInDevice([pkg]);
    const { counts } = t.cas.services.diagnostics;
    const first = (await http.get('/api/v1/client/ecm/cache-ch')).body;
    const builds = counts.ecmBuilds;
    for (let i = 0; i < 5; i++) expect((await http.get('/api/v1/client/ecm/cache-ch')).body).toEqual(first);
    expect(counts.ecmBuilds).toBe(builds);
    expect((await t.admin.post('/api/admin/keys/rotate', { kind: 'ecm', channel: 'cache-ch' })).status).toBe(200);
    const rotated = (await http.get('/api/v1/client/ecm/cache-ch')).body;
    expect(rotated.payload).not.toBe(first.payload);
    expect(counts.ecmBuilds).toBe(builds + 1);
    t.clock.advance(60_000);
    await http.get('/api/v1/client/ecm/cache-ch');
    expect(counts.ecmBuilds).toBe(builds + 2);
  });

  it('builds an EMM once per device and key epoch', async () => {
    const pkg = await makePackage(t, ['emmcache-ch']);
    const { http } = await signedInDevice([pkg]);
    const { counts } = t.cas.services.diagnostics;
    const first = (await http.get('/api/v1/client/emm')).body;
    const builds = counts.emmBuilds;
    expect((await http.get('/api/v1/client/emm')).body).toEqual(first);
    expect(counts.emmBuilds).toBe(builds);
    await t.admin.post('/api/admin/keys/rotate', { kind: 'emm', package: pkg });
    expect((await http.get('/api/v1/client/emm')).body).not.toEqual(first);
    expect(counts.emmBuilds).toBe(builds + 1);
  });

  it('refuses the ECM of a channel outside the account packages with 403 not_entitled', async () => {
    const mine = await makePackage(t, ['mine-ch']);
    await makePackage(t, ['theirs-ch']);
    const { http } = await signedInDevice([mine]);
    const answer = await http.get('/api/v1/client/ecm/theirs-ch');
    expect(answer.status).toBe(403);
    expect(answer.body.error.reason).toBe('not_entitled');
    expect((await http.get('/api/v1/client/ecm/no-such-channel')).status).toBe(404);
  });

  it('answers 409 no_device_key for the EMM of a device that registered no X25519 key', async () => {
    const pkg = await makePackage(t, ['nokey-ch']);
    const sub = await makeSubscriber(t, { packages: [pkg] });
    const signIn = await t.client.post('/api/v1/client/auth', authBody(t, sub, 'NOKEY'));
    const answer = await t.client.withToken(signIn.body.session.token).get('/api/v1/client/emm');
    expect(answer.status).toBe(409);
    expect(answer.body.error.reason).toBe('no_device_key');
  });
});

describe('revocation', () => {
  it('gives a subscription that ends before the next epoch no key for that epoch', async () => {
    const pkg = await makePackage(t, ['end-ch']);
    const { current } = t.cas.services.keys.packageEpochs.currentPackageKeys(pkg);
    const endsAt = new Date(current.endsAt - 60_000).toISOString();
    const { client } = await signedInDevice([pkg], 'END', { expiresAt: endsAt });
    const payload = await client.refreshEmm();
    expect(payload.entitlements).toEqual([{ package: pkg, until: Math.floor(Date.parse(endsAt) / 1000) }]);
    expect(client.ring.get(pkg, current.epoch)).toBeDefined();
    expect(client.ring.size).toBe(1);
    // Once it has ended, nothing more: the EMM itself is refused.
    await advance(current.endsAt - t.clock.now());
    await expect(client.auth()).rejects.toMatchObject({ status: 403, reason: 'expired' });
  });

  it('gives a device that lost its package no key for it, and an emm rotation cuts its old keys off at once', async () => {
    const pkg = await makePackage(t, ['rev-ch']);
    const revoked = await signedInDevice([pkg], 'REVOKED');
    const other = await signedInDevice([pkg], 'OTHER');
    await revoked.client.refreshEmm();
    const before = await other.client.ecm('rev-ch');
    const at = { atSeconds: nowSeconds(t) };
    expect(controlWordFromEcm(before, revoked.client.ring, at)).not.toBeNull();

    await t.admin.patch(`/api/admin/accounts/${revoked.sub.id}`, { packages: [] });
    const emm = await revoked.client.refreshEmm();
    expect(emm.entitlements).toEqual([]);
    const fresh = new PackageKeyRing();
    fresh.add(openEmm((await revoked.http.get('/api/v1/client/emm')).body, revoked.client.casPublicKey!, revoked.keys).keys);
    expect(fresh.size).toBe(0);
    expect((await revoked.http.get('/api/v1/client/ecm/rev-ch')).body.error.reason).toBe('not_entitled');

    expect((await t.admin.post('/api/admin/keys/rotate', { kind: 'emm', package: pkg })).status).toBe(200);
    const after = await other.client.ecm('rev-ch');
    // The keys the revoked device kept from before open nothing any more...
    expect(controlWordFromEcm(after, revoked.client.ring, at)).toBeNull();
    // ...while the entitled device gets the new epoch's key and keeps watching.
    const word = await other.client.controlWord('rev-ch');
    expect(Buffer.from(word.key).equals(t.cas.services.keys.controlWords.currentControlWords('rev-ch').current.key)).toBe(true);
  });

  it('lets the reference client sign in again by itself when its session expired', async () => {
    const pkg = await makePackage(t, ['renew-ch']);
    const { client } = await signedInDevice([pkg]);
    const first = client.session!.token;
    await advance(61 * 60_000);
    const word = await client.controlWord('renew-ch');
    expect(client.session!.token).not.toBe(first);
    expect(Buffer.from(word.key).equals(t.cas.services.keys.controlWords.currentControlWords('renew-ch').current.key)).toBe(true);
  });

  it('refuses the EMM of a disabled account: its session has ended', async () => {
    const pkg = await makePackage(t, ['dis-ch']);
    const { sub, http } = await signedInDevice([pkg]);
    await t.admin.patch(`/api/admin/accounts/${sub.id}`, { enabled: false });
    const answer = await http.get('/api/v1/client/emm');
    expect(answer.status).toBe(401);
    expect(answer.body.error.reason).toBe('session_invalid');
  });

  it('opens ECMs across an epoch boundary with the next-epoch key from the earlier EMM', async () => {
    const pkg = await makePackage(t, ['epoch-ch']);
    const { client } = await signedInDevice([pkg]);
    await client.refreshEmm();
    const { current } = t.cas.services.keys.packageEpochs.currentPackageKeys(pkg);
    await advance(current.endsAt - t.clock.now() + 1000);
    await client.auth();
    const ecm = await client.ecm('epoch-ch');
    const word = controlWordFromEcm(ecm, client.ring, { atSeconds: nowSeconds(t) });
    expect(word?.epoch).toBe(current.epoch + 1);
  });
});
