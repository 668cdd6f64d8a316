import { randomBytes } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { Diagnostics } from '../kernel/diagnostics';
import { systemActor, type Actor } from '../kernel/actor';
import { NotFoundError } from '../../src-shared/errors';
import { packageKeyAad } from '../crypto/sealing-aad';
import {
  deletePackageKeysEndedBefore,
  endPackageEpoch,
  insertPackageKey,
  insertRotation,
  lastPackageEpoch,
  packageKeyAt,
  packageKeyRow,
  packageKeyStartingAt,
  voidPendingPackageKeys,
  type PackageKeyRow,
} from './key-queries';
import { announceRotations } from './rotation-log';
import { allPackageIds } from '../packages/package-queries';

const DAY_MS = 86_400_000;
/** Package keys are AES-256 (32 bytes). */
const PACKAGE_KEY_BYTES = 32;

/** One package (service) key: the key of a package for one key epoch. */
export interface PackageKey {
  packageId: string;
  epoch: number;
  /** 32 bytes. */
  key: Buffer;
  startsAt: number;
  endsAt: number;
}

type Trigger = 'scheduled' | 'manual';

/** A package's epoch in force and the prepared next one, unsealed. */
interface HeldEpochs {
  current: PackageKey;
  next: PackageKey;
}

/**
 * Package key epochs: per package, numbered epochs of `keyEpochDays` with a 32-byte key each,
 * sealed in `package_keys` with the row identity as AAD. The next epoch and its key exist before
 * the current one ends (EMMs carry it ahead); they are made on first use if the rotator has not yet.
 *
 * ECMs and EMMs read the current and next epoch from memory: unsealed once, kept until the current
 * epoch ends, this class starts or voids an epoch of the package, or `packages-changed`.
 */
export class PackageEpochs {
  /** Per package, until when its current and next epoch are known to exist. */
  readonly #ensuredUntil = new Map<string, number>();
  readonly #held = new Map<string, HeldEpochs>();
  /** Every package id (null until read; forgotten on `packages-changed`). */
  #packageIds: Set<string> | null = null;

  constructor(
    private readonly ctx: CasContext,
    private readonly diagnostics: Diagnostics = new Diagnostics(),
  ) {
    ctx.events.on('packages-changed', () => {
      this.#ensuredUntil.clear();
      this.#held.clear();
      this.#packageIds = null;
    });
  }

  /** The package's key epoch in force now (created if the package has none yet). */
  currentEpoch(packageId: string): { epoch: number; startsAt: number; endsAt: number } {
    const { epoch, startsAt, endsAt } = this.#heldEpochs(packageId).current;
    return { epoch, startsAt, endsAt };
  }

  /** The key of a package epoch, or null when it is unknown, voided or past retention. */
  packageKeyFor(packageId: string, epoch: number): PackageKey | null {
    const row = packageKeyRow(this.ctx.db, packageId, epoch);
    if (!row || row.voided_at !== null) return null;
    return this.#open(row);
  }

  /** The package keys a device needs now: the current epoch's and the prepared next one's. */
  currentPackageKeys(packageId: string): { current: PackageKey; next: PackageKey } {
    const { current, next } = this.#heldEpochs(packageId);
    // Copies: callers wipe the key bytes they were handed.
    return { current: { ...current, key: Buffer.from(current.key) }, next: { ...next, key: Buffer.from(next.key) } };
  }

  #heldEpochs(packageId: string): HeldEpochs {
    const now = this.ctx.clock.now();
    const held = this.#held.get(packageId);
    if (held && held.current.startsAt <= now && now < held.current.endsAt) return held;
    const current = this.#currentRow(packageId);
    const fresh = { current: this.#open(current), next: this.#open(packageKeyStartingAt(this.ctx.db, packageId, current.ends_at)!) };
    this.#held.set(packageId, fresh);
    return fresh;
  }

  /**
   * The rotator's tick: every package gets an epoch covering `now` and a prepared next one where
   * missing (packages known to hold them are skipped). Returns the rotation ids to announce.
   */
  ensureCurrentAndNext(now: number): number[] {
    const due = this.packageIds().filter((id) => (this.#ensuredUntil.get(id) ?? 0) <= now);
    if (due.length === 0) return [];
    const ids = this.ctx.db.transaction(() => due.flatMap((id) => this.#ensureEpochsInTx(id, now, 'scheduled', systemActor)))();
    for (const id of due) {
      const current = packageKeyAt(this.ctx.db, id, now);
      if (current) this.#ensuredUntil.set(id, current.ends_at);
    }
    return ids;
  }

  /** The package named (NotFoundError if unknown), or every package, by id, when none is. */
  packageIds(only?: string): string[] {
    if (only !== undefined) return [this.#assertPackage(only)];
    return [...this.#knownPackages()];
  }

  /**
   * Manual EMM rotation, inside the caller's transaction: a new epoch starts `now`, the current one
   * ends there, and prepared epochs (whose keys may have gone out in EMMs) are voided and replaced.
   * Returns the rotation ids.
   */
  startEpochInTx(packageId: string, now: number, actor: Actor): number[] {
    const { db } = this.ctx;
    this.#ensuredUntil.delete(packageId);
    this.#held.delete(packageId);
    voidPendingPackageKeys(db, packageId, now);
    const current = packageKeyAt(db, packageId, now);
    if (current && current.ends_at > now) endPackageEpoch(db, packageId, current.epoch, now);
    return [this.#insertEpoch(packageId, now, now + this.#epochMs(), now, 'manual', actor), ...this.#ensureEpochsInTx(packageId, now, 'manual', actor)];
  }

  /** Deletes the package keys that ended longer ago than `packageKeyRetentionDays`; returns how many. */
  deleteExpired(now: number): number {
    return deletePackageKeysEndedBefore(this.ctx.db, now - this.ctx.settings.get().packageKeyRetentionDays * DAY_MS);
  }

  #knownPackages(): Set<string> {
    this.#packageIds ??= new Set(allPackageIds(this.ctx.db));
    return this.#packageIds;
  }

  #assertPackage(packageId: string): string {
    if (!this.#knownPackages().has(packageId)) throw new NotFoundError('package_not_found', { id: packageId }, `Package "${packageId}" not found`);
    return packageId;
  }

  #epochMs(): number {
    return this.ctx.settings.get().keyEpochDays * DAY_MS;
  }

  #currentRow(packageId: string): PackageKeyRow {
    this.#assertPackage(packageId);
    const now = this.ctx.clock.now();
    const existing = packageKeyAt(this.ctx.db, packageId, now);
    if (existing && existing.ends_at > now && packageKeyStartingAt(this.ctx.db, packageId, existing.ends_at)) return existing;
    const ids = this.ctx.db.transaction(() => this.#ensureEpochsInTx(packageId, now, 'scheduled', systemActor))();
    announceRotations(this.ctx, ids);
    return packageKeyAt(this.ctx.db, packageId, now)!;
  }

  /**
   * Makes sure the package has an epoch covering `now` and a prepared next one. After downtime
   * the new epoch starts where the last one ended (no gap) and lasts whole epochs past `now`.
   */
  #ensureEpochsInTx(packageId: string, now: number, trigger: Trigger, actor: Actor): number[] {
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

  #insertEpoch(packageId: string, startsAt: number, endsAt: number, now: number, trigger: Trigger, actor: Actor): number {
    this.#held.delete(packageId);
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

  #open(row: PackageKeyRow): PackageKey {
    this.diagnostics.count('keyUnseals');
    return {
      packageId: row.package_id,
      epoch: row.epoch,
      key: this.ctx.vault.open(row.key_sealed, packageKeyAad(row.package_id, row.epoch)),
      startsAt: row.starts_at,
      endsAt: row.ends_at,
    };
  }
}
