import { randomBytes } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { Diagnostics } from '../kernel/diagnostics';
import { systemActor, type Actor } from '../kernel/actor';
import { NotFoundError } from '../../src-shared/errors';
import { controlWordAad } from '../crypto/sealing-aad';
import {
  controlWordRow,
  controlWordUnderAnyLength,
  deleteControlWordsEndedBefore,
  insertControlWord,
  insertRotation,
  latestControlWord,
  type ControlWordRow,
} from './key-queries';
import { announceRotations } from './rotation-log';
import { allChannelRows } from '../channels/channel-queries';

const HOUR_MS = 3_600_000;
/** Control words are AES-128 keys (16 bytes), as HLS needs. */
const CONTROL_WORD_BYTES = 16;

/** A channel's crypto period at some instant. Times are Unix milliseconds. */
export interface CryptoPeriod {
  channelId: string;
  periodSeconds: number;
  /** `floor(unixSeconds / periodSeconds)`. */
  period: number;
  startsAt: number;
  endsAt: number;
}

/** One control word: the AES-128 key (and IV) of a channel's crypto period. */
export interface ControlWord extends CryptoPeriod {
  /** 0, or higher after a manual ECM rotation replaced the key part-way through the period. */
  generation: number;
  /** The `<period>` segment of `/keys/<channel>/<period>`: `N` or `N-generation`. */
  keyId: string;
  key: Buffer;
  iv: Buffer;
  /** When this generation took over (the period start for generation 0). */
  effectiveFrom: number;
}

/** What the store needs of a channel: its id and crypto period length. */
interface KeyedChannel {
  id: string;
  periodSeconds: number;
}

export function keyIdOf(period: number, generation: number): string {
  return generation === 0 ? String(period) : `${period}-${generation}`;
}

export function parseKeyId(keyId: string): { period: number; generation: number | null } | null {
  const match = /^(\d{1,15})(?:-(\d{1,6}))?$/.exec(keyId);
  if (!match) return null;
  return { period: Number(match[1]), generation: match[2] === undefined ? null : Number(match[2]) };
}

/** The crypto period of a channel with periods of `periodSeconds` at `at`. */
export function cryptoPeriodAt(channelId: string, periodSeconds: number, at: number): CryptoPeriod {
  const lengthMs = periodSeconds * 1000;
  const period = Math.floor(at / lengthMs);
  return { channelId, periodSeconds, period, startsAt: period * lengthMs, endsAt: (period + 1) * lengthMs };
}

/** The cache key of a period under one length: `channel:length:period`. */
function periodKey(channelId: string, periodSeconds: number, period: number): string {
  return `${channelId}:${periodSeconds}:${period}`;
}

/**
 * Control words: the key and IV of each (channel, crypto period, generation), sealed in
 * `control_words` with the row identity as AAD. The current and next period's keys are made on
 * first use if the rotator has not yet. Channels' period lengths are cached until `channels-changed`.
 *
 * Key delivery and ECMs read words from memory: a row never changes once written, so a word is
 * unsealed once and kept until its period leaves the retention window or the channel changes;
 * the newest generation of a period is kept until this class writes a new generation of it.
 */
export class ControlWords {
  #channels: Map<string, KeyedChannel> | null = null;
  /** Per channel, the `length:nextPeriod` whose keys are known to exist (saves the rotator's tick). */
  readonly #ensured = new Map<string, string>();
  /** Unsealed words by `channel:length:period:generation`. */
  readonly #opened = new Map<string, ControlWord>();
  /** The newest generation of each `channel:length:period` read so far (forgotten when one is added). */
  readonly #newestGeneration = new Map<string, number>();

  constructor(
    private readonly ctx: CasContext,
    private readonly diagnostics: Diagnostics = new Diagnostics(),
  ) {
    ctx.events.on('channels-changed', () => {
      this.#channels = null;
      this.#ensured.clear();
      this.#opened.clear();
      this.#newestGeneration.clear();
    });
  }

  /** The crypto period of a channel at `at` (default now); throws NotFoundError for an unknown channel. */
  currentPeriod(channelId: string, at = this.ctx.clock.now()): CryptoPeriod {
    const channel = this.#channel(channelId);
    return cryptoPeriodAt(channel.id, channel.periodSeconds, at);
  }

  /**
   * The control word of a channel's period: the newest generation unless one is named. Null for
   * periods outside the retention window or beyond the next one.
   */
  controlWordFor(channelId: string, period: number, generation?: number): ControlWord | null {
    const word = this.#heldWord(channelId, period, generation);
    // A copy: callers wipe the key bytes they were handed.
    return word && { ...word, key: Buffer.from(word.key), iv: Buffer.from(word.iv) };
  }

  /** The newest generation of a channel's period (null when the period has no key in reach), without handing out the key. */
  newestGeneration(channelId: string, period: number): number | null {
    return this.#heldWord(channelId, period, undefined)?.generation ?? null;
  }

  /** The word from memory, else from SQLite (unsealed once); null outside the retention window or beyond the next period. */
  #heldWord(channelId: string, period: number, generation: number | undefined): ControlWord | null {
    const channel = this.#channel(channelId);
    const now = this.ctx.clock.now();
    const key = periodKey(channel.id, channel.periodSeconds, period);
    const known = generation ?? this.#newestGeneration.get(key);
    const word = (known !== undefined ? this.#opened.get(`${key}:${known}`) : undefined) ?? this.#readWord(channel, period, generation, now);
    if (!word) return null;
    // Too far ahead (only possible after the clock went back) or past the retention window.
    if (word.period > Math.floor(now / (word.periodSeconds * 1000)) + 1) return null;
    if (word.endsAt < now - this.#retentionMs()) return null;
    return word;
  }

  #readWord(channel: KeyedChannel, period: number, generation: number | undefined, now: number): ControlWord | null {
    const current = cryptoPeriodAt(channel.id, channel.periodSeconds, now).period;
    let row =
      generation === undefined
        ? latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period)
        : controlWordRow(this.ctx.db, channel.id, channel.periodSeconds, period, generation);
    if (!row && (period === current || period === current + 1) && (generation === undefined || generation === 0)) {
      this.#ensureNow(channel, now);
      row = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period);
    }
    if (row && generation === undefined) this.#newestGeneration.set(periodKey(channel.id, channel.periodSeconds, period), row.generation);
    if (!row) row = controlWordUnderAnyLength(this.ctx.db, channel.id, period, generation ?? null);
    if (!row) return null;
    const word = this.#open(row);
    this.#opened.set(`${periodKey(row.channel_id, row.period_seconds, row.period)}:${row.generation}`, word);
    return word;
  }

  /** The control word a `/keys/<channel>/<keyId>` URL names, or null (unknown, expired, too far ahead). */
  controlWordByKeyId(channelId: string, keyId: string): ControlWord | null {
    const parsed = parseKeyId(keyId);
    if (!parsed) return null;
    return this.controlWordFor(channelId, parsed.period, parsed.generation ?? 0);
  }

  /** The keys a packager needs now: the current period's (newest generation) and the next one's. */
  currentControlWords(channelId: string): { current: ControlWord; next: ControlWord } {
    const { period } = this.currentPeriod(channelId);
    return { current: this.controlWordFor(channelId, period)!, next: this.controlWordFor(channelId, period + 1)! };
  }

  /**
   * The rotator's tick: every channel gets generation 0 of its current and next period where
   * missing (channels known to hold them are skipped). Returns the rotation ids to announce.
   */
  ensureCurrentAndNext(now: number): number[] {
    const due = [...this.#channelMap().values()].filter((c) => this.#ensured.get(c.id) !== this.#ensuredMark(c, now));
    if (due.length === 0) return [];
    const ids = this.ctx.db.transaction(() => this.#ensurePeriodsInTx(due, now))();
    for (const c of due) this.#ensured.set(c.id, this.#ensuredMark(c, now));
    return ids;
  }

  /** The channel named (NotFoundError if unknown), or every channel when none is. */
  channelIds(only?: string): string[] {
    return only === undefined ? [...this.#channelMap().keys()] : [this.#channel(only).id];
  }

  /**
   * Manual ECM rotation, inside the caller's transaction: the current period gets a new generation
   * from `now` on and the next period a new key; what was served keeps working. Returns rotation ids.
   */
  addGenerationsInTx(channelId: string, now: number, actor: Actor): number[] {
    const channel = this.#channel(channelId);
    const current = cryptoPeriodAt(channel.id, channel.periodSeconds, now);
    return [
      this.#addGeneration(channel, current.period, now, now, actor),
      this.#addGeneration(channel, current.period + 1, current.endsAt, now, actor),
    ];
  }

  /** Deletes the control words whose period ended longer ago than the retention window; returns how many. */
  deleteExpired(now: number): number {
    const cutoff = now - this.#retentionMs();
    for (const [key, word] of this.#opened) if (word.endsAt < cutoff) this.#opened.delete(key);
    return deleteControlWordsEndedBefore(this.ctx.db, cutoff);
  }

  #channelMap(): Map<string, KeyedChannel> {
    if (!this.#channels) {
      const rows = allChannelRows(this.ctx.db);
      this.#channels = new Map(rows.map((r) => [r.id, { id: r.id, periodSeconds: r.crypto_period_seconds }]));
    }
    return this.#channels;
  }

  #channel(channelId: string): KeyedChannel {
    const channel = this.#channelMap().get(channelId);
    if (!channel) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
    return channel;
  }

  #ensuredMark(channel: KeyedChannel, now: number): string {
    return `${channel.periodSeconds}:${cryptoPeriodAt(channel.id, channel.periodSeconds, now).period + 1}`;
  }

  #retentionMs(): number {
    return this.ctx.settings.get().controlWordRetentionHours * HOUR_MS;
  }

  /** First use before the rotator's tick: makes the channel's current and next keys and announces them. */
  #ensureNow(channel: KeyedChannel, now: number): void {
    const ids = this.ctx.db.transaction(() => this.#ensurePeriodsInTx([channel], now))();
    announceRotations(this.ctx, ids);
  }

  /** Creates generation 0 of the current and next period where missing; returns rotation ids. */
  #ensurePeriodsInTx(channels: KeyedChannel[], now: number): number[] {
    const made: number[] = [];
    for (const channel of channels) {
      const { period } = cryptoPeriodAt(channel.id, channel.periodSeconds, now);
      for (const p of [period, period + 1]) {
        const startsAt = p * channel.periodSeconds * 1000;
        if (this.#insert(channel, p, 0, startsAt, now)) made.push(this.#recordRotation(channel, p, 0, startsAt, now, 'scheduled', systemActor));
      }
    }
    return made;
  }

  /** Adds the next generation of a period (manual ECM rotation); returns the rotation id. */
  #addGeneration(channel: KeyedChannel, period: number, effectiveFrom: number, now: number, actor: Actor): number {
    const latest = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period);
    const generation = latest ? latest.generation + 1 : 0;
    this.#insert(channel, period, generation, effectiveFrom, now);
    return this.#recordRotation(channel, period, generation, effectiveFrom, now, 'manual', actor);
  }

  #insert(channel: KeyedChannel, period: number, generation: number, effectiveFrom: number, now: number): boolean {
    if (generation === 0 && controlWordRow(this.ctx.db, channel.id, channel.periodSeconds, period, 0)) return false;
    // A new generation is the period's newest from now on (forgotten first: the transaction may still roll back).
    this.#newestGeneration.delete(periodKey(channel.id, channel.periodSeconds, period));
    const key = randomBytes(CONTROL_WORD_BYTES);
    const inserted = insertControlWord(this.ctx.db, {
      channel_id: channel.id,
      period_seconds: channel.periodSeconds,
      period,
      generation,
      key_sealed: this.ctx.vault.seal(key, controlWordAad(channel.id, channel.periodSeconds, period, generation)),
      iv: randomBytes(16),
      starts_at: effectiveFrom,
      ends_at: (period + 1) * channel.periodSeconds * 1000,
      created_at: now,
    });
    key.fill(0);
    return inserted;
  }

  #recordRotation(
    channel: KeyedChannel,
    period: number,
    generation: number,
    startsAt: number,
    now: number,
    trigger: 'scheduled' | 'manual',
    actor: Actor,
  ): number {
    return insertRotation(this.ctx.db, {
      at: now,
      kind: 'ecm',
      trigger,
      channel_id: channel.id,
      package_id: null,
      period,
      generation,
      epoch: null,
      starts_at: startsAt,
      actor: actor.name,
    });
  }

  #open(row: ControlWordRow): ControlWord {
    this.diagnostics.count('keyUnseals');
    return {
      channelId: row.channel_id,
      periodSeconds: row.period_seconds,
      period: row.period,
      startsAt: row.period * row.period_seconds * 1000,
      endsAt: row.ends_at,
      generation: row.generation,
      keyId: keyIdOf(row.period, row.generation),
      key: this.ctx.vault.open(row.key_sealed, controlWordAad(row.channel_id, row.period_seconds, row.period, row.generation)),
      iv: Buffer.from(row.iv),
      effectiveFrom: row.starts_at,
    };
  }
}
