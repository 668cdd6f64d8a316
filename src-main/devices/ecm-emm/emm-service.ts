import sealedbox from 'tweetnacl-sealedbox-js';
import type { Clock } from '../../kernel/clock';
import type { PackageEpochs } from '../../keys/package-epochs';
import type { Diagnostics } from '../../kernel/diagnostics';
import type { ViewerAccount } from '../../access/viewer-directory';
import { ApiError } from '../../../src-shared/errors';
import { bytesToBase64, bytesToHex, utf8Encode } from '../../../src-shared/protocol/device-encoding';
import { EMM_FORMAT, type SignedEnvelope } from '../../../src-shared/protocol/device-envelope';
import type { EmmPackageKey, EmmPayload, EmmSecret } from '../../../src-shared/protocol/emm';
import { BoundedCache, signEnvelope } from './envelope';
import type { CasSigningKey } from './signing-key';

interface CachedEmm {
  fingerprint: string;
  envelope: SignedEnvelope;
}

/** The signed-in device an EMM is made for, as the device authorizer found it (from memory). */
interface EmmDevice {
  deviceId: number;
  hwid: string;
  device: { boxPublicKey: Uint8Array | null } | null;
  account: ViewerAccount;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * EMMs: per device, the keys of its account's packages for the current and next key epoch in a
 * libsodium sealed box (`crypto_box_seal`) to the device's X25519 key, with the entitlement end
 * dates. A package whose entitlement ends before the next epoch starts gets no next key. Built
 * once per device and key epoch (the cache entry is keyed by what went into it: the device key,
 * the account's packages and expiry as the access decision holds them, and each package's epoch).
 */
export class EmmService {
  readonly #cache = new BoundedCache<CachedEmm>(100_000);

  constructor(
    private readonly packageEpochs: PackageEpochs,
    private readonly signingKey: CasSigningKey,
    private readonly diagnostics: Diagnostics,
    private readonly clock: Clock,
  ) {}

  emmFor({ deviceId, hwid, device, account }: EmmDevice): SignedEnvelope {
    const boxPublicKey = device?.boxPublicKey;
    if (!boxPublicKey || boxPublicKey.length !== 32) {
      throw new ApiError(409, 'device_public_key_missing', {}, 'Register the device X25519 public key (devicePublicKey) at sign-in first', {
        reason: 'no_device_key',
        field: 'devicePublicKey',
      });
    }
    const now = this.clock.now();
    const until = account.expiresAt;
    const packages = [...account.packages].sort();
    // What the EMM depends on, read without opening any key: a new epoch changes the current
    // epoch number (a manual rotation too), so the cache is keyed by it.
    const epochs = packages.map((packageId) => ({ packageId, ...this.packageEpochs.currentEpoch(packageId) }));
    const fingerprint = [
      bytesToHex(boxPublicKey),
      account.username,
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
    const sealed = sealedbox.seal(utf8Encode(JSON.stringify(secret)), new Uint8Array(boxPublicKey));
    const payload: EmmPayload = {
      type: 'emm',
      device: deviceId,
      hwid,
      username: account.username,
      issuedAt: seconds(now),
      boxPublicKey: bytesToBase64(boxPublicKey),
      entitlements: packages.map((p) => ({ package: p, until: until === null ? null : seconds(until) })),
      sealed: bytesToBase64(sealed),
    };
    const envelope = signEnvelope(this.signingKey, EMM_FORMAT, payload);
    this.diagnostics.count('emmBuilds');
    this.#cache.set(String(deviceId), { fingerprint, envelope });
    return envelope;
  }
}
