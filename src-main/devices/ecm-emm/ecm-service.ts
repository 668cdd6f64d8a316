import nacl from 'tweetnacl';
import type { CasContext } from '../../kernel/context';
import type { ControlWords } from '../../keys/control-words';
import type { PackageEpochs, PackageKey } from '../../keys/package-epochs';
import type { Diagnostics } from '../../kernel/diagnostics';
import type { ViewerDirectory } from '../../access/viewer-directory';
import { NotFoundError } from '../../../src-shared/errors';
import { bytesToBase64, bytesToHex } from '../../../src-shared/protocol/device-encoding';
import { ECM_FORMAT, type SignedEnvelope } from '../../../src-shared/protocol/device-envelope';
import type { EcmPayload, EcmPeriod } from '../../../src-shared/protocol/ecm';
import { BoundedCache, signEnvelope } from './envelope';
import type { CasSigningKey } from './signing-key';

interface CachedEcm {
  fingerprint: string;
  envelope: SignedEnvelope;
}

/**
 * ECMs: per channel, the control words of the current and next crypto period, each boxed with
 * `nacl.secretbox` under the key of every package carrying the channel. Signed once per channel,
 * period, key generation and package epoch, then served from memory: the cache entry is keyed by
 * exactly what went into it, so a rotation (or a package change) makes the next request rebuild.
 */
export class EcmService {
  readonly #cache = new BoundedCache<CachedEcm>(20_000);

  constructor(
    private readonly ctx: CasContext,
    private readonly controlWords: ControlWords,
    private readonly packageEpochs: PackageEpochs,
    private readonly directory: ViewerDirectory,
    private readonly signingKey: CasSigningKey,
    private readonly diagnostics: Diagnostics,
  ) {}

  ecmFor(channelId: string): SignedEnvelope {
    const channel = this.directory.channel(channelId);
    if (!channel) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
    const now = this.ctx.clock.now();
    const current = this.controlWords.currentPeriod(channelId, now);
    // What the ECM depends on, read without opening a key: the newest generation of both periods
    // and the epoch of every package; any rotation changes one of them.
    const epochs = channel.packages.map((packageId) => ({ packageId, ...this.packageEpochs.currentEpoch(packageId) }));
    const fingerprintOf = (generations: Array<number | undefined>) =>
      [
        `${current.periodSeconds}:${current.period}`,
        ...generations.map((g) => String(g)),
        ...epochs.map((e) => `${e.packageId}:${e.epoch}:${e.endsAt}`),
      ].join('|');
    const held = [current.period, current.period + 1].map((p) => this.controlWords.newestGeneration(channelId, p) ?? undefined);
    const cached = this.#cache.get(channelId);
    if (cached && held.every((g) => g !== undefined) && cached.fingerprint === fingerprintOf(held)) return cached.envelope;

    const words = [this.controlWords.controlWordFor(channelId, current.period), this.controlWords.controlWordFor(channelId, current.period + 1)].filter(
      (w): w is NonNullable<typeof w> => w !== null,
    );
    const packageKeys = channel.packages.map((packageId) => ({ packageId, ...this.packageEpochs.currentPackageKeys(packageId) }));
    /** A period's key goes under the epoch in force when it starts (or now, for the current one). */
    const epochKeyFor = (keys: { current: PackageKey; next: PackageKey }, startsAt: number): PackageKey =>
      Math.max(startsAt, now) >= keys.current.endsAt ? keys.next : keys.current;
    const fingerprint = fingerprintOf(words.map((w) => w.generation));
    const periods: EcmPeriod[] = words.map((word) => ({
      period: word.period,
      generation: word.generation,
      start: Math.floor(word.startsAt / 1000),
      end: Math.floor(word.endsAt / 1000),
      iv: bytesToHex(word.iv),
      keys: packageKeys.map((p) => {
        const packageKey = epochKeyFor(p, word.startsAt);
        const nonce = nacl.randomBytes(nacl.secretbox.nonceLength);
        return {
          package: p.packageId,
          epoch: packageKey.epoch,
          nonce: bytesToBase64(nonce),
          box: bytesToBase64(nacl.secretbox(word.key, nonce, packageKey.key)),
        };
      }),
    }));
    for (const w of words) w.key.fill(0);
    for (const p of packageKeys) {
      p.current.key.fill(0);
      p.next.key.fill(0);
    }
    const payload: EcmPayload = {
      type: 'ecm',
      channel: channelId,
      issuedAt: Math.floor(now / 1000),
      periodSeconds: current.periodSeconds,
      periods,
    };
    const envelope = signEnvelope(this.signingKey, ECM_FORMAT, payload);
    this.diagnostics.count('ecmBuilds');
    this.#cache.set(channelId, { fingerprint, envelope });
    return envelope;
  }
}
