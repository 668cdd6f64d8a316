import { randomBytes } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { systemActor, type Actor } from '../kernel/actor';
import { allChannelRows } from '../channels/channel-queries';
import { allPackageIds, allPackageRows, packageRowById } from '../packages/package-queries';
import { NotFoundError } from '../../src-shared/errors';
import type { Page } from '../../src-shared/schemas/common';
import type {
  ChannelKeyStatus,
  KeyRotateResult,
  KeyStatus,
  PackageKeyStatus,
  Rotation,
  RotationKind,
} from '../../src-shared/schemas/keys';
import {
  controlWordCounts,
  controlWordRow,
  controlWordUnderAnyLength,
  deleteControlWordsEndedBefore,
  deletePackageKeysEndedBefore,
  deleteRotationsBefore,
  endPackageEpoch,
  insertControlWord,
  insertPackageKey,
  insertRotation,
  lastPackageEpoch,
  lastRotationPerChannel,
  latestControlWord,
  listRotations,
  packageKeyAt,
  packageKeyCounts,
  packageKeyRow,
  packageKeyStartingAt,
  rotationById,
  voidPendingPackageKeys,
  type ControlWordRow,
  type PackageKeyRow,
  type RotationFilter,
  type RotationRow,
} from './key-queries';
import { controlWordAad, packageKeyAad } from '../crypto/sealing-aad';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Package keys are AES-256 (32 bytes); control words AES-128 (16 bytes), as HLS needs. */
const PACKAGE_KEY_BYTES = 32;
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

/** One package (service) key: the key of a package for one key epoch. */
export interface PackageKey {
  packageId: string;
  epoch: number;
  /** 32 bytes. */
  key: Buffer;
  startsAt: number;
  endsAt: number;
}

/** What a rotation made, passed to `onRotation` listeners after the change committed. */
export type KeyRotationEvent = Rotation;

interface ChannelInfo {
  id: string;
  name: string;
  enabled: boolean;
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

function toRotation(row: RotationRow): Rotation {
  return {
    id: row.id,
    at: isoFromMs(row.at),
    kind: row.kind,
    trigger: row.trigger,
    channelId: row.channel_id,
    packageId: row.package_id,
    period: row.period,
    generation: row.generation,
    epoch: row.epoch,
    startsAt: isoFromMs(row.starts_at),
    actor: row.actor,
  };
}

/**
 * The key hierarchy under the master key: control words per (channel, crypto period) and
 * package keys per (package, epoch), sealed in SQLite with their row identity as AAD.
 * Exposed as `services.keys`; key delivery, the packager API and ECM/EMM build on it.
 */
export class KeyService {
  #channels: Map<string, ChannelInfo> | null = null;
  /** Per channel, the `length:nextPeriod` whose keys are known to exist (saves the rotator's tick). */
  readonly #ensuredPeriods = new Map<string, string>();
  /** Per package, until when its current and next epoch are known to exist. */
  readonly #ensuredEpochs = new Map<string, number>();
  readonly #listeners = new Set<(events: KeyRotationEvent[]) => void>();

  constructor(private readonly ctx: CasContext) {
    ctx.events.on('channels-changed', () => {
      this.#channels = null;
      this.#ensuredPeriods.clear();
    });
    ctx.events.on('packages-changed', () => this.#ensuredEpochs.clear());
  }

  // ---- control words -------------------------------------------------------------------

  /** The crypto period of a channel at `at` (default now); throws NotFoundError for an unknown channel. */
  currentPeriod(channelId: string, at = this.ctx.clock.now()): CryptoPeriod {
    return this.#periodOf(this.#channel(channelId), at);
  }

  /**
   * The control word of a channel's period: the newest generation unless one is named. The
   * current and next period's keys are created on first use if the rotator has not yet; null
   * for periods outside the retention window or beyond the next one.
   */
  controlWordFor(channelId: string, period: number, generation?: number): ControlWord | null {
    const channel = this.#channel(channelId);
    const now = this.ctx.clock.now();
    const current = this.#periodOf(channel, now).period;
    let row =
      generation === undefined
        ? latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period)
        : controlWordRow(this.ctx.db, channel.id, channel.periodSeconds, period, generation);
    if (!row && (period === current || period === current + 1) && (generation === undefined || generation === 0)) {
      this.#ensurePeriods([channel], now, 'scheduled', systemActor);
      row = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period);
    }
    if (!row) row = controlWordUnderAnyLength(this.ctx.db, channel.id, period, generation ?? null);
    if (!row) return null;
    // Too far ahead (only possible after the clock went back) or past the retention window.
    if (row.period > Math.floor(now / (row.period_seconds * 1000)) + 1) return null;
    if (row.ends_at < now - this.#retentionMs()) return null;
    return this.#openControlWord(row);
  }

  /** The control word a `/keys/<channel>/<keyId>` URL names, or null (unknown, expired, too far ahead). */
  controlWordByKeyId(channelId: string, keyId: string): ControlWord | null {
    const parsed = parseKeyId(keyId);
    if (!parsed) return null;
    return this.controlWordFor(channelId, parsed.period, parsed.generation ?? 0);
  }

  /** The keys a packager needs now: the current period's (newest generation) and the next one's. */
  currentControlWords(channelId: string): { current: ControlWord; next: ControlWord } {
    const channel = this.#channel(channelId);
    const now = this.ctx.clock.now();
    this.#ensurePeriods([channel], now, 'scheduled', systemActor);
    const period = this.#periodOf(channel, now).period;
    const current = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period)!;
    const next = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period + 1)!;
    return { current: this.#openControlWord(current), next: this.#openControlWord(next) };
  }

  // ---- package keys --------------------------------------------------------------------

  /** The package's key epoch in force now (created if the package has none yet). */
  currentEpoch(packageId: string): { epoch: number; startsAt: number; endsAt: number } {
    const row = this.#currentPackageRow(packageId);
    return { epoch: row.epoch, startsAt: row.starts_at, endsAt: row.ends_at };
  }

  /** The key of a package epoch, or null when it is unknown, voided or past retention. */
  packageKeyFor(packageId: string, epoch: number): PackageKey | null {
    const row = packageKeyRow(this.ctx.db, packageId, epoch);
    if (!row || row.voided_at !== null) return null;
    return this.#openPackageKey(row);
  }

  /** The package keys a device needs now: the current epoch's and the prepared next one's. */
  currentPackageKeys(packageId: string): { current: PackageKey; next: PackageKey } {
    const current = this.#currentPackageRow(packageId);
    const next = packageKeyStartingAt(this.ctx.db, packageId, current.ends_at)!;
    return { current: this.#openPackageKey(current), next: this.#openPackageKey(next) };
  }

  /** Calls `listener` after every committed rotation (scheduled or manual); returns an unsubscribe. */
  onRotation(listener: (events: KeyRotationEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- rotation ------------------------------------------------------------------------

  /**
   * The rotator's work, idempotent: makes sure every channel has the keys of its current and
   * next period, and every package its current and next epoch. Safe after restarts and clock
   * jumps: keys are keyed by period number, so running twice (or on two nodes) adds nothing.
   */
  ensureKeys(): KeyRotationEvent[] {
    const now = this.ctx.clock.now();
    const channels = [...this.#channelMap().values()].filter(
      (c) => this.#ensuredPeriods.get(c.id) !== `${c.periodSeconds}:${this.#periodOf(c, now).period + 1}`,
    );
    const packages = allPackageIds(this.ctx.db).filter((id) => (this.#ensuredEpochs.get(id) ?? 0) <= now);
    if (channels.length === 0 && packages.length === 0) return [];
    const rotations = this.ctx.db.transaction(() => {
      const ids: number[] = [...this.#ensurePeriodsInTx(channels, now, 'scheduled', systemActor)];
      for (const id of packages) ids.push(...this.#ensureEpochsInTx(id, now, 'scheduled', systemActor));
      return ids;
    })();
    for (const c of channels) this.#ensuredPeriods.set(c.id, `${c.periodSeconds}:${this.#periodOf(c, now).period + 1}`);
    for (const id of packages) {
      const current = packageKeyAt(this.ctx.db, id, now);
      if (current) this.#ensuredEpochs.set(id, current.ends_at);
    }
    return this.#publish(rotations);
  }

  /** Deletes control words, package keys and history past their retention; returns counts. */
  prune(): { controlWords: number; packageKeys: number; rotations: number } {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    return this.ctx.db.transaction(() => ({
      controlWords: deleteControlWordsEndedBefore(this.ctx.db, now - this.#retentionMs()),
      packageKeys: deletePackageKeysEndedBefore(this.ctx.db, now - settings.packageKeyRetentionDays * DAY_MS),
      rotations: deleteRotationsBefore(this.ctx.db, now - settings.keyRotationHistoryDays * DAY_MS),
    }))();
  }

  /**
   * Manual rotation (admin). `ecm`: for each channel (one or all) the current period gets a new
   * generation from now on and the next period a new key; what was served keeps working.
   * `emm`: for each package (one or all) a new epoch starts now; prepared next epochs are voided.
   */
  rotate(kind: RotationKind, target: { channel?: string; package?: string }, actor: Actor): KeyRotateResult {
    const { db, clock } = this.ctx;
    const now = clock.now();
    let ids: number[];
    if (kind === 'ecm') {
      const channels = target.channel ? [this.#channel(target.channel)] : [...this.#channelMap().values()];
      ids = db.transaction(() => {
        const made: number[] = [];
        for (const channel of channels) {
          const current = this.#periodOf(channel, now);
          made.push(this.#newGeneration(channel, current.period, now, now, actor));
          made.push(this.#newGeneration(channel, current.period + 1, current.endsAt, now, actor));
        }
        recordAudit(db, now, actor, {
          action: 'keys.rotate',
          targetType: 'channel',
          targetId: target.channel ?? null,
          summary: { kind, scope: target.channel ?? 'all', channels: channels.length },
        });
        return made;
      })();
    } else {
      const packages = target.package
        ? [this.#packageId(target.package)]
        : allPackageIds(db);
      ids = db.transaction(() => {
        const made: number[] = [];
        for (const packageId of packages) {
          this.#ensuredEpochs.delete(packageId);
          voidPendingPackageKeys(db, packageId, now);
          const current = packageKeyAt(db, packageId, now);
          if (current && current.ends_at > now) endPackageEpoch(db, packageId, current.epoch, now);
          made.push(this.#insertEpoch(packageId, now, now + this.#epochMs(), now, 'manual', actor));
          made.push(...this.#ensureEpochsInTx(packageId, now, 'manual', actor));
        }
        recordAudit(db, now, actor, {
          action: 'keys.rotate',
          targetType: 'package',
          targetId: target.package ?? null,
          summary: { kind, scope: target.package ?? 'all', packages: packages.length },
        });
        return made;
      })();
    }
    return { kind, rotations: this.#publish(ids) };
  }

  // ---- admin views ---------------------------------------------------------------------

  status(): KeyStatus {
    const { db } = this.ctx;
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    const counts = new Map(controlWordCounts(db).map((c) => [c.channel_id, c]));
    const lastRotated = new Map(lastRotationPerChannel(db).map((r) => [r.channel_id, r.at]));
    const rows = allChannelRows(db);
    const channels: ChannelKeyStatus[] = rows.map((row) => {
      const info = { id: row.id, name: row.name, enabled: row.enabled === 1, periodSeconds: row.crypto_period_seconds };
      const period = this.#periodOf(info, now);
      const current = latestControlWord(db, row.id, info.periodSeconds, period.period);
      const next = latestControlWord(db, row.id, info.periodSeconds, period.period + 1);
      const count = counts.get(row.id);
      return {
        channelId: row.id,
        name: row.name,
        enabled: info.enabled,
        cryptoPeriodSeconds: info.periodSeconds,
        currentPeriod: period.period,
        currentGeneration: current?.generation ?? 0,
        periodStartedAt: isoFromMs(period.startsAt),
        nextRotationAt: isoFromMs(period.endsAt),
        nextKeyReady: next !== undefined,
        keysHeld: count?.n ?? 0,
        oldestKeyPeriodEndsAt: isoOrNull(count?.oldest_end ?? null),
        lastRotatedAt: isoOrNull(lastRotated.get(row.id) ?? null),
      };
    });
    const packageCounts = new Map(packageKeyCounts(db).map((c) => [c.package_id, c.n]));
    const packageRows = allPackageRows(db);
    const packages: PackageKeyStatus[] = packageRows.map((pkg) => {
      const current = packageKeyAt(db, pkg.id, now);
      const live = current && current.ends_at > now ? current : undefined;
      return {
        packageId: pkg.id,
        name: pkg.name,
        currentEpoch: live?.epoch ?? null,
        epochStartedAt: isoOrNull(live?.starts_at ?? null),
        nextRotationAt: isoOrNull(live?.ends_at ?? null),
        nextKeyReady: live ? packageKeyStartingAt(db, pkg.id, live.ends_at) !== undefined : false,
        keysHeld: packageCounts.get(pkg.id) ?? 0,
      };
    });
    return {
      serverTime: isoFromMs(now),
      keyEpochDays: settings.keyEpochDays,
      controlWordRetentionHours: settings.controlWordRetentionHours,
      channels,
      packages,
    };
  }

  channelStatus(channelId: string): ChannelKeyStatus {
    this.#channel(channelId);
    return this.status().channels.find((c) => c.channelId === channelId)!;
  }

  history(filter: RotationFilter, page: number, pageSize: number): Page<Rotation> {
    const { rows, total } = listRotations(this.ctx.db, filter, page, pageSize);
    return { items: rows.map(toRotation), total, page, pageSize };
  }

  // ---- internals -----------------------------------------------------------------------

  #channelMap(): Map<string, ChannelInfo> {
    if (!this.#channels) {
      const rows = allChannelRows(this.ctx.db);
      this.#channels = new Map(
        rows.map((r) => [r.id, { id: r.id, name: r.name, enabled: r.enabled === 1, periodSeconds: r.crypto_period_seconds }]),
      );
    }
    return this.#channels;
  }

  #channel(channelId: string): ChannelInfo {
    const channel = this.#channelMap().get(channelId);
    if (!channel) throw new NotFoundError(`Channel "${channelId}"`);
    return channel;
  }

  #packageId(packageId: string): string {
    const row = packageRowById(this.ctx.db, packageId);
    if (!row) throw new NotFoundError(`Package "${packageId}"`);
    return row.id;
  }

  #periodOf(channel: ChannelInfo, at: number): CryptoPeriod {
    const lengthMs = channel.periodSeconds * 1000;
    const period = Math.floor(at / lengthMs);
    return { channelId: channel.id, periodSeconds: channel.periodSeconds, period, startsAt: period * lengthMs, endsAt: (period + 1) * lengthMs };
  }

  #retentionMs(): number {
    return this.ctx.settings.get().controlWordRetentionHours * HOUR_MS;
  }

  #epochMs(): number {
    return this.ctx.settings.get().keyEpochDays * DAY_MS;
  }

  #ensurePeriods(channels: ChannelInfo[], now: number, trigger: 'scheduled' | 'manual', actor: Actor): void {
    const ids = this.ctx.db.transaction(() => this.#ensurePeriodsInTx(channels, now, trigger, actor))();
    this.#publish(ids);
  }

  /** Creates generation 0 of the current and next period where missing; returns rotation ids. */
  #ensurePeriodsInTx(channels: ChannelInfo[], now: number, trigger: 'scheduled' | 'manual', actor: Actor): number[] {
    const made: number[] = [];
    for (const channel of channels) {
      const { period } = this.#periodOf(channel, now);
      for (const p of [period, period + 1]) {
        const lengthMs = channel.periodSeconds * 1000;
        const startsAt = p * lengthMs;
        if (this.#insertControlWord(channel, p, 0, startsAt, now)) {
          made.push(
            insertRotation(this.ctx.db, {
              at: now,
              kind: 'ecm',
              trigger,
              channel_id: channel.id,
              package_id: null,
              period: p,
              generation: 0,
              epoch: null,
              starts_at: startsAt,
              actor: actor.name,
            }),
          );
        }
      }
    }
    return made;
  }

  #insertControlWord(channel: ChannelInfo, period: number, generation: number, effectiveFrom: number, now: number): boolean {
    const lengthMs = channel.periodSeconds * 1000;
    if (generation === 0 && controlWordRow(this.ctx.db, channel.id, channel.periodSeconds, period, 0)) return false;
    const key = randomBytes(CONTROL_WORD_BYTES);
    const inserted = insertControlWord(this.ctx.db, {
      channel_id: channel.id,
      period_seconds: channel.periodSeconds,
      period,
      generation,
      key_sealed: this.ctx.vault.seal(key, controlWordAad(channel.id, channel.periodSeconds, period, generation)),
      iv: randomBytes(16),
      starts_at: effectiveFrom,
      ends_at: (period + 1) * lengthMs,
      created_at: now,
    });
    key.fill(0);
    return inserted;
  }

  /** Adds the next generation of a period (manual ECM rotation); returns the rotation id. */
  #newGeneration(channel: ChannelInfo, period: number, effectiveFrom: number, now: number, actor: Actor): number {
    const latest = latestControlWord(this.ctx.db, channel.id, channel.periodSeconds, period);
    const generation = latest ? latest.generation + 1 : 0;
    this.#insertControlWord(channel, period, generation, effectiveFrom, now);
    return insertRotation(this.ctx.db, {
      at: now,
      kind: 'ecm',
      trigger: 'manual',
      channel_id: channel.id,
      package_id: null,
      period,
      generation,
      epoch: null,
      starts_at: effectiveFrom,
      actor: actor.name,
    });
  }

  #currentPackageRow(packageId: string): PackageKeyRow {
    this.#packageId(packageId);
    const now = this.ctx.clock.now();
    const existing = packageKeyAt(this.ctx.db, packageId, now);
    if (existing && existing.ends_at > now && packageKeyStartingAt(this.ctx.db, packageId, existing.ends_at)) return existing;
    const ids = this.ctx.db.transaction(() => this.#ensureEpochsInTx(packageId, now, 'scheduled', systemActor))();
    this.#publish(ids);
    return packageKeyAt(this.ctx.db, packageId, now)!;
  }

  /**
   * Makes sure the package has an epoch covering `now` and a prepared next one. After downtime
   * the new epoch starts where the last one ended (no gap) and lasts whole epochs past `now`.
   */
  #ensureEpochsInTx(packageId: string, now: number, trigger: 'scheduled' | 'manual', actor: Actor): number[] {
    const { db } = this.ctx;
    const made: number[] = [];
    const epochMs = this.#epochMs();
    let current = packageKeyAt(db, packageId, now);
    if (!current || current.ends_at <= now) {
      const startsAt = current ? current.ends_at : now;
      const periods = Math.max(1, Math.floor((now - startsAt) / epochMs) + 1);
      made.push(this.#insertEpoch(packageId, startsAt, startsAt + periods * epochMs, now, trigger, actor));
      current = packageKeyAt(db, packageId, now)!;
    }
    if (!packageKeyStartingAt(db, packageId, current.ends_at)) {
      made.push(this.#insertEpoch(packageId, current.ends_at, current.ends_at + epochMs, now, trigger, actor));
    }
    return made;
  }

  #insertEpoch(packageId: string, startsAt: number, endsAt: number, now: number, trigger: 'scheduled' | 'manual', actor: Actor): number {
    const epoch = lastPackageEpoch(this.ctx.db, packageId) + 1;
    const key = randomBytes(PACKAGE_KEY_BYTES);
    insertPackageKey(this.ctx.db, {
      package_id: packageId,
      epoch,
      key_sealed: this.ctx.vault.seal(key, packageKeyAad(packageId, epoch)),
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: now,
    });
    key.fill(0);
    return insertRotation(this.ctx.db, {
      at: now,
      kind: 'emm',
      trigger,
      channel_id: null,
      package_id: packageId,
      period: null,
      generation: null,
      epoch,
      starts_at: startsAt,
      actor: actor.name,
    });
  }

  #openControlWord(row: ControlWordRow): ControlWord {
    const lengthMs = row.period_seconds * 1000;
    return {
      channelId: row.channel_id,
      periodSeconds: row.period_seconds,
      period: row.period,
      startsAt: row.period * lengthMs,
      endsAt: row.ends_at,
      generation: row.generation,
      keyId: keyIdOf(row.period, row.generation),
      key: this.ctx.vault.open(row.key_sealed, controlWordAad(row.channel_id, row.period_seconds, row.period, row.generation)),
      iv: Buffer.from(row.iv),
      effectiveFrom: row.starts_at,
    };
  }

  #openPackageKey(row: PackageKeyRow): PackageKey {
    return {
      packageId: row.package_id,
      epoch: row.epoch,
      key: this.ctx.vault.open(row.key_sealed, packageKeyAad(row.package_id, row.epoch)),
      startsAt: row.starts_at,
      endsAt: row.ends_at,
    };
  }

  /** Logs each rotation and tells listeners; called after the transaction committed. */
  #publish(ids: number[]): KeyRotationEvent[] {
    if (ids.length === 0) return [];
    const events = ids.map((id) => toRotation(rotationById(this.ctx.db, id)));
    for (const e of events) {
      this.ctx.logger.info(
        {
          kind: e.kind,
          trigger: e.trigger,
          channel: e.channelId ?? undefined,
          package: e.packageId ?? undefined,
          period: e.period ?? undefined,
          generation: e.generation ?? undefined,
          epoch: e.epoch ?? undefined,
          startsAt: e.startsAt,
        },
        'key rotated',
      );
    }
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        this.ctx.logger.error({ err: error }, 'key rotation listener failed');
      }
    }
    return events;
  }
}
