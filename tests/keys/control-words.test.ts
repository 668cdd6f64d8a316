import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlWords, keyIdOf, parseKeyId } from '../../src-main/keys/control-words';
import { controlWordAad } from '../../src-main/crypto/sealing-aad';
import { NotFoundError } from '../../src-shared/errors';
import { openKeyStore, type KeyStore } from './key-store';

const admin = { id: 1, name: 'alice' };
let store: KeyStore;
let words: ControlWords;

beforeEach(async () => {
  store = await openKeyStore();
  store.addChannel({ id: 'news', name: 'News', cryptoPeriodSeconds: 60 });
  words = new ControlWords(store.ctx);
});
afterEach(() => store.close());

const periodNow = () => Math.floor(store.clock.now() / 60_000);
const sealedOf = (period: number, generation = 0) =>
  (
    store.ctx.db
      .prepare('SELECT key_sealed FROM control_words WHERE channel_id = ? AND period = ? AND generation = ?')
      .get('news', period, generation) as { key_sealed: Buffer }
  ).key_sealed;

describe('control words', () => {
  it("gives the same key and IV for a period at every read, and a different one for the next period", () => {
    const period = periodNow();
    const first = words.controlWordFor('news', period)!;
    const again = words.controlWordFor('news', period)!;
    const next = words.controlWordFor('news', period + 1)!;
    expect(first.key).toHaveLength(16);
    expect(first.iv).toHaveLength(16);
    expect(again.key.equals(first.key)).toBe(true);
    expect(again.iv.equals(first.iv)).toBe(true);
    expect(next.key.equals(first.key)).toBe(false);
    expect(first).toMatchObject({ channelId: 'news', periodSeconds: 60, period, generation: 0, keyId: String(period) });
    expect(first.startsAt).toBe(period * 60_000);
    expect(first.endsAt).toBe((period + 1) * 60_000);
  });

  it('makes the current and the next period on first use, each recorded once as a scheduled rotation and logged', () => {
    const { current, next } = words.currentControlWords('news');
    expect([current.period, next.period]).toEqual([periodNow(), periodNow() + 1]);
    words.currentControlWords('news');
    expect(store.rotations().map((r) => [r.kind, r.trigger, r.channel_id, r.period, r.generation])).toEqual([
      ['ecm', 'scheduled', 'news', periodNow(), 0],
      ['ecm', 'scheduled', 'news', periodNow() + 1, 0],
    ]);
    const logged = store.logs.filter((l) => l.msg === 'key rotated');
    expect(logged.map((l) => l.period)).toEqual([periodNow(), periodNow() + 1]);
    expect(JSON.stringify(store.logs)).not.toContain(current.key.toString('hex'));
  });

  it('seals each key under the AAD of its own row, so a key moved to another row does not open', () => {
    const period = periodNow();
    const word = words.controlWordFor('news', period)!;
    expect(store.ctx.vault.open(sealedOf(period), controlWordAad('news', 60, period, 0)).equals(word.key)).toBe(true);
    expect(() => store.ctx.vault.open(sealedOf(period), controlWordAad('news', 60, period + 1, 0))).toThrow();
    store.ctx.db.prepare('UPDATE control_words SET key_sealed = ? WHERE channel_id = ? AND period = ?').run(sealedOf(period), 'news', period + 1);
    expect(() => words.controlWordFor('news', period + 1)).toThrow();
  });

  it('adds a new generation of the current and next period on manual rotation; the served generation stays reachable', () => {
    const period = periodNow();
    const served = words.currentControlWords('news');
    const ids = store.ctx.db.transaction(() => words.addGenerationsInTx('news', store.clock.now(), admin))();
    expect(ids).toHaveLength(2);
    const after = words.currentControlWords('news');
    expect(after.current).toMatchObject({ period, generation: 1, keyId: `${period}-1`, effectiveFrom: store.clock.now() });
    expect(after.current.key.equals(served.current.key)).toBe(false);
    expect(after.next.key.equals(served.next.key)).toBe(false);
    expect(words.controlWordByKeyId('news', String(period))!.key.equals(served.current.key)).toBe(true);
    expect(words.controlWordByKeyId('news', `${period}-1`)!.key.equals(after.current.key)).toBe(true);
    expect(store.rotations().slice(-2).map((r) => [r.trigger, r.period, r.generation, r.actor])).toEqual([
      ['manual', period, 1, 'alice'],
      ['manual', period + 1, 1, 'alice'],
    ]);
  });

  it('gives nothing beyond the next period, for a malformed key id, or past the retention window', () => {
    const period = periodNow();
    words.currentControlWords('news');
    expect(words.controlWordFor('news', period + 2)).toBeNull();
    expect(words.controlWordByKeyId('news', 'x1')).toBeNull();
    expect(words.controlWordByKeyId('news', `${period}-9`)).toBeNull();
    store.clock.advance(24 * 3_600_000 + 60_000);
    expect(words.controlWordFor('news', period)).toBeNull();
    expect(() => words.controlWordFor('ghost', period)).toThrow(NotFoundError);
  });

  it("the rotator's tick makes every channel's current and next key once, then one key per channel at each period boundary", () => {
    store.addChannel({ id: 'sport', name: 'Sport', cryptoPeriodSeconds: 60 });
    expect(words.ensureCurrentAndNext(store.clock.now())).toHaveLength(4);
    expect(words.ensureCurrentAndNext(store.clock.now())).toHaveLength(0);
    store.clock.advance(60_000);
    expect(words.ensureCurrentAndNext(store.clock.now())).toHaveLength(2);
    expect(store.rotations().slice(-2).map((r) => [r.channel_id, r.period])).toEqual([
      ['news', periodNow() + 1],
      ['sport', periodNow() + 1],
    ]);
  });

  it('sees channel changes at once: a new channel, and a new period length', () => {
    words.ensureCurrentAndNext(store.clock.now());
    store.addChannel({ id: 'late', name: 'Late', cryptoPeriodSeconds: 60 });
    expect(words.channelIds()).toEqual(expect.arrayContaining(['news', 'late']));
    expect(words.ensureCurrentAndNext(store.clock.now())).toHaveLength(2);
    store.setPeriod('news', 10);
    expect(words.currentPeriod('news')).toMatchObject({ periodSeconds: 10, period: Math.floor(store.clock.now() / 10_000) });
    expect(words.ensureCurrentAndNext(store.clock.now())).toHaveLength(2);
    expect(words.currentControlWords('news').current.periodSeconds).toBe(10);
  });

  it('deletes only the keys whose period ended longer ago than the retention window', () => {
    words.ensureCurrentAndNext(store.clock.now());
    expect(words.deleteExpired(store.clock.now())).toBe(0);
    store.clock.advance(2 * 60_000 + 24 * 3_600_000 + 1);
    words.ensureCurrentAndNext(store.clock.now());
    expect(words.deleteExpired(store.clock.now())).toBe(2);
    expect(words.currentControlWords('news').current.period).toBe(periodNow());
  });

  it('names keys N, then N-generation, and reads the names back', () => {
    expect(keyIdOf(42, 0)).toBe('42');
    expect(keyIdOf(42, 3)).toBe('42-3');
    expect(parseKeyId('42-3')).toEqual({ period: 42, generation: 3 });
    expect(parseKeyId('42')).toEqual({ period: 42, generation: null });
    expect(parseKeyId('42-')).toBeNull();
  });
});
