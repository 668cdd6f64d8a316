import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackageEpochs } from '../../src-main/keys/package-epochs';
import { packageKeyAad } from '../../src-main/crypto/sealing-aad';
import { NotFoundError } from '../../src-shared/errors';
import { openKeyStore, type KeyStore } from './key-store';

const DAY_MS = 86_400_000;
const admin = { id: 1, name: 'alice' };
let store: KeyStore;
let epochs: PackageEpochs;

beforeEach(async () => {
  store = await openKeyStore();
  epochs = new PackageEpochs(store.ctx);
});
afterEach(() => store.close());

const sealedOf = (epoch: number) =>
  (store.ctx.db.prepare('SELECT key_sealed FROM package_keys WHERE package_id = ? AND epoch = ?').get('basic', epoch) as { key_sealed: Buffer })
    .key_sealed;

describe('package epochs', () => {
  it('starts an epoch of keyEpochDays on first use, with the next one prepared, and gives the same keys at every read', () => {
    const now = store.clock.now();
    const { current, next } = epochs.currentPackageKeys('basic');
    expect(current).toMatchObject({ packageId: 'basic', epoch: 1, startsAt: now, endsAt: now + 30 * DAY_MS });
    expect(next).toMatchObject({ epoch: 2, startsAt: current.endsAt, endsAt: current.endsAt + 30 * DAY_MS });
    expect(current.key).toHaveLength(32);
    expect(next.key.equals(current.key)).toBe(false);
    const again = epochs.currentPackageKeys('basic');
    expect(again.current.key.equals(current.key)).toBe(true);
    expect(epochs.currentEpoch('basic')).toEqual({ epoch: 1, startsAt: now, endsAt: now + 30 * DAY_MS });
    expect(store.rotations().map((r) => [r.kind, r.trigger, r.package_id, r.epoch])).toEqual([
      ['emm', 'scheduled', 'basic', 1],
      ['emm', 'scheduled', 'basic', 2],
    ]);
    expect(store.logs.filter((l) => l.msg === 'key rotated').map((l) => l.epoch)).toEqual([1, 2]);
  });

  it('rotates on schedule: when an epoch ends the prepared one is in force, without a gap, and a new one is prepared', () => {
    epochs.ensureCurrentAndNext(store.clock.now());
    const first = epochs.currentPackageKeys('basic');
    expect(epochs.ensureCurrentAndNext(store.clock.now())).toHaveLength(0);
    store.clock.ms = first.current.endsAt;
    expect(epochs.ensureCurrentAndNext(store.clock.now())).toHaveLength(epochs.packageIds().length);
    const second = epochs.currentPackageKeys('basic');
    expect(second.current.epoch).toBe(first.next.epoch);
    expect(second.current.key.equals(first.next.key)).toBe(true);
    expect(second.next).toMatchObject({ epoch: 3, startsAt: first.next.endsAt });
  });

  it('after downtime longer than an epoch starts where the last epoch ended and lasts whole epochs past now', () => {
    const { next: prepared } = epochs.currentPackageKeys('basic');
    store.clock.ms = prepared.endsAt + 45 * DAY_MS;
    epochs.ensureCurrentAndNext(store.clock.now());
    const now = epochs.currentEpoch('basic');
    expect(now.epoch).toBe(prepared.epoch + 1);
    expect(now.startsAt).toBe(prepared.endsAt);
    expect(now.endsAt).toBe(prepared.endsAt + 60 * DAY_MS);
  });

  it('prepares epochs for every package in one tick, and only for those not known to be covered', () => {
    const packages = epochs.packageIds();
    expect(packages).toEqual(['basic', 'basic-plus', 'premium']);
    expect(epochs.ensureCurrentAndNext(store.clock.now())).toHaveLength(2 * packages.length);
    store.addPackage('sports');
    expect(epochs.ensureCurrentAndNext(store.clock.now())).toHaveLength(2);
    expect(epochs.ensureCurrentAndNext(store.clock.now())).toHaveLength(0);
  });

  it('seals each key under the AAD of its package and epoch, so a key moved to another epoch does not open', () => {
    const { current } = epochs.currentPackageKeys('basic');
    expect(store.ctx.vault.open(sealedOf(1), packageKeyAad('basic', 1)).equals(current.key)).toBe(true);
    expect(() => store.ctx.vault.open(sealedOf(1), packageKeyAad('basic', 2))).toThrow();
    store.ctx.db.prepare('UPDATE package_keys SET key_sealed = ? WHERE package_id = ? AND epoch = 2').run(sealedOf(1), 'basic');
    expect(() => epochs.packageKeyFor('basic', 2)).toThrow();
  });

  it('on manual rotation ends the current epoch now, voids the prepared one and prepares anew', () => {
    const before = epochs.currentPackageKeys('basic');
    store.clock.advance(DAY_MS);
    const now = store.clock.now();
    const ids = store.ctx.db.transaction(() => epochs.startEpochInTx('basic', now, admin))();
    expect(ids).toHaveLength(2);
    expect(epochs.packageKeyFor('basic', before.next.epoch)).toBeNull();
    expect(epochs.packageKeyFor('basic', before.current.epoch)?.endsAt).toBe(now);
    const after = epochs.currentPackageKeys('basic');
    expect(after.current).toMatchObject({ epoch: 3, startsAt: now, endsAt: now + 30 * DAY_MS });
    expect(after.next).toMatchObject({ epoch: 4, startsAt: after.current.endsAt });
    expect(store.rotations().slice(-2).map((r) => [r.trigger, r.epoch, r.actor])).toEqual([
      ['manual', 3, 'alice'],
      ['manual', 4, 'alice'],
    ]);
  });

  it('refuses unknown packages and gives no key for an unknown epoch', () => {
    expect(() => epochs.currentEpoch('ghost')).toThrow(NotFoundError);
    expect(() => epochs.packageIds('ghost')).toThrow(NotFoundError);
    expect(epochs.packageIds('basic')).toEqual(['basic']);
    expect(epochs.packageKeyFor('basic', 99)).toBeNull();
  });

  it('deletes only the keys that ended longer ago than packageKeyRetentionDays', () => {
    const first = epochs.currentEpoch('basic');
    store.clock.ms = first.endsAt + 90 * DAY_MS;
    epochs.ensureCurrentAndNext(store.clock.now());
    expect(epochs.deleteExpired(store.clock.now())).toBe(0);
    store.clock.advance(1);
    expect(epochs.deleteExpired(store.clock.now())).toBe(1);
    expect(epochs.packageKeyFor('basic', first.epoch)).toBeNull();
  });
});
