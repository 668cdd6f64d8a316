import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlWords } from '../../src-main/keys/control-words';
import { PackageEpochs } from '../../src-main/keys/package-epochs';
import { KeyRotation, startKeyRotator } from '../../src-main/keys/key-rotation';
import { BackgroundTasks } from '../../src-main/kernel/background';
import { listAudit } from '../../src-main/audit/audit-log';
import { NotFoundError } from '../../src-shared/errors';
import { openKeyStore, type KeyStore } from './key-store';

const DAY_MS = 86_400_000;
const admin = { id: 1, name: 'alice' };
let store: KeyStore;
let words: ControlWords;
let epochs: PackageEpochs;
let rotation: KeyRotation;

beforeEach(async () => {
  store = await openKeyStore();
  store.addChannel({ id: 'news', name: 'News', cryptoPeriodSeconds: 60, packages: ['basic'] });
  store.addChannel({ id: 'sport', name: 'Sport', cryptoPeriodSeconds: 60, packages: ['premium'] });
  words = new ControlWords(store.ctx);
  epochs = new PackageEpochs(store.ctx);
  rotation = new KeyRotation(store.ctx, words, epochs);
});
afterEach(() => store.close());

const audits = () => listAudit(store.ctx.db, { action: 'keys.rotate' }, 1, 50).items;
const periodNow = () => Math.floor(store.clock.now() / 60_000);

describe('key rotation', () => {
  it("a tick makes every channel's current and next key and every package's current and next epoch, once, each logged", () => {
    const made = rotation.ensureKeys();
    expect(made.filter((r) => r.kind === 'ecm')).toHaveLength(4);
    expect(made.filter((r) => r.kind === 'emm')).toHaveLength(2 * epochs.packageIds().length);
    expect(made.every((r) => r.trigger === 'scheduled' && r.actor === 'system')).toBe(true);
    expect(store.logs.filter((l) => l.msg === 'key rotated')).toHaveLength(made.length);
    expect(rotation.ensureKeys()).toEqual([]);
    store.clock.advance(60_000);
    expect(rotation.ensureKeys().map((r) => [r.channelId, r.period])).toEqual([
      ['news', periodNow() + 1],
      ['sport', periodNow() + 1],
    ]);
  });

  it('manual ECM rotation bumps the generation of one channel, recorded with the actor and audited once', () => {
    rotation.ensureKeys();
    const result = rotation.rotate('ecm', { channel: 'news' }, admin);
    expect(result.kind).toBe('ecm');
    expect(result.rotations.map((r) => [r.channelId, r.period, r.generation, r.trigger, r.actor])).toEqual([
      ['news', periodNow(), 1, 'manual', 'alice'],
      ['news', periodNow() + 1, 1, 'manual', 'alice'],
    ]);
    expect(words.currentControlWords('news').current.keyId).toBe(`${periodNow()}-1`);
    expect(words.currentControlWords('sport').current.generation).toBe(0);
    expect(audits()).toHaveLength(1);
    expect(audits()[0]).toMatchObject({ actorName: 'alice', targetType: 'channel', targetId: 'news', summary: { kind: 'ecm', scope: 'news', channels: 1 } });
    expect(rotation.rotate('ecm', {}, admin).rotations.map((r) => r.channelId)).toEqual(['news', 'news', 'sport', 'sport']);
    expect(audits()[0]).toMatchObject({ targetId: null, summary: { scope: 'all', channels: 2 } });
  });

  it('manual EMM rotation starts a new epoch now for one package, voids the prepared one and is audited', () => {
    rotation.ensureKeys();
    const prepared = epochs.currentPackageKeys('premium').next;
    const result = rotation.rotate('emm', { package: 'premium' }, admin);
    expect(result.rotations.map((r) => [r.packageId, r.trigger, r.actor])).toEqual([
      ['premium', 'manual', 'alice'],
      ['premium', 'manual', 'alice'],
    ]);
    expect(epochs.currentEpoch('premium')).toMatchObject({ epoch: prepared.epoch + 1, startsAt: store.clock.now() });
    expect(epochs.packageKeyFor('premium', prepared.epoch)).toBeNull();
    expect(epochs.currentEpoch('basic').epoch).toBe(1);
    expect(audits()[0]).toMatchObject({ targetType: 'package', targetId: 'premium', summary: { kind: 'emm', scope: 'premium', packages: 1 } });
  });

  it('refuses an unknown channel or package and then records nothing', () => {
    rotation.ensureKeys();
    const before = store.rotations().length;
    expect(() => rotation.rotate('ecm', { channel: 'ghost' }, admin)).toThrow(NotFoundError);
    expect(() => rotation.rotate('emm', { package: 'ghost' }, admin)).toThrow(NotFoundError);
    expect(store.rotations()).toHaveLength(before);
    expect(audits()).toHaveLength(0);
  });

  it('prunes control words, package keys and history past their retention, and nothing younger', () => {
    rotation.ensureKeys();
    expect(rotation.prune()).toEqual({ controlWords: 0, packageKeys: 0, rotations: 0 });
    store.clock.advance(31 * DAY_MS);
    rotation.ensureKeys();
    const deleted = rotation.prune();
    expect(deleted.controlWords).toBe(4);
    expect(deleted.packageKeys).toBe(0);
    expect(deleted.rotations).toBe(4 + 2 * epochs.packageIds().length);
    store.clock.advance(90 * DAY_MS);
    expect(rotation.prune().packageKeys).toBeGreaterThan(0);
  });

  it('the rotator job ticks at once when started, and stops with the background tasks', async () => {
    const background = new BackgroundTasks(store.ctx.logger, store.ctx.alarms);
    startKeyRotator(background, rotation, store.ctx.logger);
    await Promise.resolve();
    expect(store.rotations().filter((r) => r.kind === 'ecm')).toHaveLength(4);
    background.stop();
  });
});
