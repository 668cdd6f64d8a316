import { randomBytes } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { cencKeyAad } from '../crypto/sealing-aad';
import { cencKeyByKid, cencKeyRow, deleteCencKeysEndedBefore, insertCencKey, type CencKeyRow } from './cenc-key-queries';
import { keyIdOf, type ControlWord, type ControlWords } from './control-words';

const HOUR_MS = 3_600_000;
const CENC_KEY_BYTES = 16;

/** A CENC content key: 128-bit key and key ID, for one control word's period and generation. */
export interface CencKey {
  channelId: string;
  /** The control word it belongs to (`<period>` or `<period>-<generation>`), as the packager API names keys. */
  keyId: string;
  periodSeconds: number;
  period: number;
  generation: number;
  kid: Buffer;
  key: Buffer;
  startsAt: number;
  endsAt: number;
}

/** `0123…cdef` (32 hex digits) as the UUID form MPDs use (`cenc:default_KID`). */
export function kidUuid(kid: Buffer): string {
  const hex = kid.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * CENC keys for DASH/CMAF: one random key and KID per control word of a channel, so they follow
 * its crypto periods and manual ECM rotations without a schedule of their own; made on first use
 * (packager API, MPD rewrite), sealed under the master key with the row identity as AAD, kept as
 * long as control words (`controlWordRetentionHours`).
 */
export class CencKeys {
  constructor(
    private readonly ctx: CasContext,
    private readonly controlWords: ControlWords,
  ) {}

  /** The keys a packager needs now: the current period's (newest generation) and the next one's. */
  currentCencKeys(channelId: string): { current: CencKey; next: CencKey } {
    const { current, next } = this.controlWords.currentControlWords(channelId);
    return { current: this.cencKeyFor(current), next: this.cencKeyFor(next) };
  }

  /** The CENC key of the control word a key id names (`<period>[-<generation>]`), or null (unknown, expired, too far ahead). */
  cencKeyByKeyId(channelId: string, keyId: string): CencKey | null {
    const word = this.controlWords.controlWordByKeyId(channelId, keyId);
    return word ? this.cencKeyFor(word) : null;
  }

  /**
   * The key a KID names if it belongs to `channelId` and its period is still served: not past
   * the retention window, not beyond the next period. Null otherwise (unknown, another channel's).
   */
  cencKeyByKid(channelId: string, kid: Buffer): CencKey | null {
    const row = cencKeyByKid(this.ctx.db, kid);
    if (!row || row.channel_id !== channelId) return null;
    const now = this.ctx.clock.now();
    if (row.period > Math.floor(now / (row.period_seconds * 1000)) + 1) return null;
    if (row.ends_at < now - this.#retentionMs()) return null;
    return this.#open(row);
  }

  /** The CENC key of a control word, made (random key and KID) on first use. */
  cencKeyFor(word: ControlWord): CencKey {
    const identity = [word.channelId, word.periodSeconds, word.period, word.generation] as const;
    let row = cencKeyRow(this.ctx.db, ...identity);
    if (!row) {
      const key = randomBytes(CENC_KEY_BYTES);
      insertCencKey(this.ctx.db, {
        channel_id: word.channelId,
        period_seconds: word.periodSeconds,
        period: word.period,
        generation: word.generation,
        kid: randomBytes(CENC_KEY_BYTES),
        key_sealed: this.ctx.vault.seal(key, cencKeyAad(...identity)),
        starts_at: word.effectiveFrom,
        ends_at: word.endsAt,
        created_at: this.ctx.clock.now(),
      });
      key.fill(0);
      row = cencKeyRow(this.ctx.db, ...identity)!;
    }
    return this.#open(row);
  }

  /** Deletes the keys whose period ended longer ago than the retention window; returns how many. */
  deleteExpired(now: number): number {
    return deleteCencKeysEndedBefore(this.ctx.db, now - this.#retentionMs());
  }

  #retentionMs(): number {
    return this.ctx.settings.get().controlWordRetentionHours * HOUR_MS;
  }

  #open(row: CencKeyRow): CencKey {
    return {
      channelId: row.channel_id,
      keyId: keyIdOf(row.period, row.generation),
      periodSeconds: row.period_seconds,
      period: row.period,
      generation: row.generation,
      kid: Buffer.from(row.kid),
      key: this.ctx.vault.open(row.key_sealed, cencKeyAad(row.channel_id, row.period_seconds, row.period, row.generation)),
      startsAt: row.starts_at,
      endsAt: row.ends_at,
    };
  }
}
