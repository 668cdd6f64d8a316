import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlWords } from '../../src-main/keys/control-words';
import { PackageEpochs } from '../../src-main/keys/package-epochs';
import { KeyRotation } from '../../src-main/keys/key-rotation';
import { KeyStatusView } from '../../src-main/keys/key-status';
import { NotFoundError } from '../../src-shared/errors';
import { openKeyStore, type KeyStore } from './key-store';

const admin = { id: 1, name: 'alice' };
let store: KeyStore;
let words: ControlWords;
let epochs: PackageEpochs;
let rotation: KeyRotation;
let view: KeyStatusView;

beforeEach(async () => {
  store = await openKeyStore();
  store.addChannel({ id: 'news', name: 'News', number: 2, cryptoPeriodSeconds: 60, packages: ['basic'] });
  store.addChannel({ id: 'sport', name: 'Sport', number: 1, cryptoPeriodSeconds: 120, packages: ['premium'] });
  words = new ControlWords(store.ctx);
  epochs = new PackageEpochs(store.ctx);
  rotation = new KeyRotation(store.ctx, words, epochs);
  view = new KeyStatusView(store.ctx);
});
afterEach(() => store.close());

describe('key status view', () => {
  it('shows channels in number order with no key yet before the first tick', () => {
    const status = view.status();
    expect(status.channels.map((c) => c.channelId)).toEqual(['sport', 'news']);
    expect(status.channels[1]).toMatchObject({ keysHeld: 0, nextKeyReady: false, lastRotatedAt: null, oldestKeyPeriodEndsAt: null });
    expect(status.packages.find((p) => p.packageId === 'basic')).toMatchObject({ currentEpoch: null, nextKeyReady: false, keysHeld: 0 });
    expect(status).toMatchObject({ keyEpochDays: 30, controlWordRetentionHours: 24, serverTime: new Date(store.clock.now()).toISOString() });
  });

  it('counts keys held, the oldest held, the current period and generation, and the next rotation', () => {
    rotation.ensureKeys();
    store.clock.advance(60_000);
    rotation.ensureKeys();
    rotation.rotate('ecm', { channel: 'news' }, admin);
    const news = view.channelStatus('news');
    const period = Math.floor(store.clock.now() / 60_000);
    expect(news).toMatchObject({
      name: 'News',
      enabled: true,
      cryptoPeriodSeconds: 60,
      currentPeriod: period,
      currentGeneration: 1,
      nextKeyReady: true,
      keysHeld: 5,
      periodStartedAt: new Date(period * 60_000).toISOString(),
      nextRotationAt: new Date((period + 1) * 60_000).toISOString(),
      oldestKeyPeriodEndsAt: new Date(period * 60_000).toISOString(),
      lastRotatedAt: new Date(store.clock.now()).toISOString(),
    });
    const basic = view.status().packages.find((p) => p.packageId === 'basic')!;
    const current = epochs.currentEpoch('basic');
    expect(basic).toMatchObject({
      currentEpoch: current.epoch,
      epochStartedAt: new Date(current.startsAt).toISOString(),
      nextRotationAt: new Date(current.endsAt).toISOString(),
      nextKeyReady: true,
      keysHeld: 2,
    });
  });

  it('never shows key bytes', () => {
    const { current, next } = words.currentControlWords('news');
    const packageKeys = epochs.currentPackageKeys('basic');
    const text = JSON.stringify(view.status());
    for (const key of [current.key, next.key, packageKeys.current.key, packageKeys.next.key]) {
      expect(text).not.toContain(key.toString('hex'));
      expect(text).not.toContain(key.toString('base64'));
    }
  });

  it('refuses an unknown channel', () => {
    expect(() => view.channelStatus('ghost')).toThrow(NotFoundError);
  });

  it('pages the rotation history newest first and filters it', () => {
    rotation.ensureKeys();
    rotation.rotate('emm', { package: 'premium' }, admin);
    const page = view.history({}, 1, 3);
    expect(page.total).toBe(store.rotations().length);
    expect(page.items).toHaveLength(3);
    expect(page.items[0].id).toBeGreaterThan(page.items[1].id);
    expect(page.items[0]).toMatchObject({ kind: 'emm', trigger: 'manual', packageId: 'premium', actor: 'alice' });
    const news = view.history({ kind: 'ecm', channel: 'news' }, 1, 50);
    expect(news.items.map((r) => [r.channelId, r.trigger])).toEqual([
      ['news', 'scheduled'],
      ['news', 'scheduled'],
    ]);
    expect(view.history({ trigger: 'manual' }, 1, 50).total).toBe(2);
  });
});
