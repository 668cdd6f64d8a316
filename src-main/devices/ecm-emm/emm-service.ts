import sealedbox from 'tweetnacl-sealedbox-js';
import type { CasContext } from '../../kernel/context';
import type { PackageEpochs } from '../../keys/package-epochs';
import type { Diagnostics } from '../../kernel/diagnostics';
import { accountById, packagesOfAccount } from '../../accounts/account-queries';
import { deviceById } from '../../accounts/account-device-queries';
import { ApiError, NotFoundError } from '../../../src-shared/errors';
import { bytesToBase64, bytesToHex, utf8Encode } from '../../../src-shared/protocol/device-encoding';
import { EMM_FORMAT, type SignedEnvelope } from '../../../src-shared/protocol/device-envelope';
import type { EmmPackageKey, EmmPayload, EmmSecret } from '../../../src-shared/protocol/emm';
import { BoundedCache, signEnvelope } from './envelope';
import type { CasSigningKey } from './signing-key';

interface CachedEmm {
  fingerprint: string;
  envelope: SignedEnvelope;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * EMMs: per device, the keys of its account's packages for the current and next key epoch in a
 * libsodium sealed box (`crypto_box_seal`) to the device's X25519 key, with the entitlement end
 * dates. A package whose entitlement ends before the next epoch starts gets no next key. Built
 * once per device and key epoch (the cache entry is keyed by what went into it).
 */
export class EmmService {
  readonly #cache = new BoundedCache<CachedEmm>(100_000);

  constructor(
    private readonly ctx: CasContext,
    private readonly packageEpochs: PackageEpochs,
    private readonly signingKey: CasSigningKey,
    private readonly diagnostics: Diagnostics,
  ) {}

  emmFor(deviceId: number): SignedEnvelope {
    const { db, clock } = this.ctx;
    const device = deviceById(db, deviceId);
    if (!device) throw new NotFoundError('device_not_found', { id: deviceId }, 'Device not found');
    if (!device.box_public_key || device.box_public_key.length !== 32) {
      throw new ApiError(409, 'device_public_key_missing', {}, 'Register the device X25519 public key (devicePublicKey) at sign-in first', {
        reason: 'no_device_key',
        field: 'devicePublicKey',
      });
    }
    const account = accountById(db, device.account_id);
    if (!account) throw new NotFoundError('account_not_found', { id: device.account_id }, 'Account not found');
    const now = clock.now();
    const until = account.expires_at;
    const packages = packagesOfAccount(db, account.id);
    // What the EMM depends on, read without opening any key: a new epoch changes the current
    // epoch number (a manual rotation too), so the cache is keyed by it.
    const epochs = packages.map((packageId) => ({ packageId, ...this.packageEpochs.currentEpoch(packageId) }));
    const fingerprint = [
      bytesToHex(device.box_public_key),
      String(until),
      ...epochs.map((e) => `${e.packageId}:${e.epoch}:${e.endsAt}`),
    ].join('|');
    const cached = this.#cache.get(String(deviceId));
    if (cached && cached.fingerprint === fingerprint) return cached.envelope;

    const keys: EmmPackageKey[] = [];
    for (const packageId of packages) {
      const { current, next } = this.packageEpochs.currentPackageKeys(packageId);
      const held = [current];
      // The next epoch's key only goes to a subscriber still entitled when it starts.
      if (until === null || until > next.startsAt) held.push(next);
      for (const k of held) {
        keys.push({ package: packageId, epoch: k.epoch, start: seconds(k.startsAt), end: seconds(k.endsAt), key: bytesToBase64(k.key) });
      }
      current.key.fill(0);
      next.key.fill(0);
    }
    const secret: EmmSecret = { keys };
    const sealed = sealedbox.seal(utf8Encode(JSON.stringify(secret)), new Uint8Array(device.box_public_key));
    const payload: EmmPayload = {
      type: 'emm',
      device: device.id,
      hwid: device.hwid,
      username: account.username,
      issuedAt: seconds(now),
      boxPublicKey: bytesToBase64(device.box_public_key),
      entitlements: packages.map((p) => ({ package: p, until: until === null ? null : seconds(until) })),
      sealed: bytesToBase64(sealed),
    };
    const envelope = signEnvelope(this.signingKey, EMM_FORMAT, payload);
    this.diagnostics.count('emmBuilds');
    this.#cache.set(String(deviceId), { fingerprint, envelope });
    return envelope;
  }
}
