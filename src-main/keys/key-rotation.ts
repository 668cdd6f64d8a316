import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import type { Logger } from '../kernel/logger';
import type { Actor } from '../kernel/actor';
import { recordAudit } from '../audit/audit-log';
import type { KeyRotateResult, Rotation, RotationKind } from '../../src-shared/schemas/keys';
import { deleteRotationsBefore } from './key-queries';
import { announceRotations } from './rotation-log';
import type { ControlWords } from './control-words';
import type { PackageEpochs } from './package-epochs';

const DAY_MS = 86_400_000;
/** How often the rotator looks: well under the shortest crypto period (2 s). */
const ROTATOR_INTERVAL_MS = 500;
/** Retention sweeps need not run at every tick. */
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Rotation: the rotator's tick and retention sweep, and manual rotation by an administrator
 * (audited). Every key made is a row in the rotation history and a `key rotated` log line.
 */
export class KeyRotation {
  constructor(
    private readonly ctx: CasContext,
    private readonly controlWords: ControlWords,
    private readonly packageEpochs: PackageEpochs,
  ) {}

  /**
   * The rotator's work, idempotent: makes sure every channel has the keys of its current and
   * next period, and every package its current and next epoch. Safe after restarts and clock
   * jumps: keys are keyed by period number, so running twice (or on two nodes) adds nothing.
   */
  ensureKeys(): Rotation[] {
    const now = this.ctx.clock.now();
    const ids = [...this.controlWords.ensureCurrentAndNext(now), ...this.packageEpochs.ensureCurrentAndNext(now)];
    return announceRotations(this.ctx, ids);
  }

  /** Deletes control words, package keys and history past their retention; returns counts. */
  prune(): { controlWords: number; packageKeys: number; rotations: number } {
    const now = this.ctx.clock.now();
    const historyDays = this.ctx.settings.get().keyRotationHistoryDays;
    return this.ctx.db.transaction(() => ({
      controlWords: this.controlWords.deleteExpired(now),
      packageKeys: this.packageEpochs.deleteExpired(now),
      rotations: deleteRotationsBefore(this.ctx.db, now - historyDays * DAY_MS),
    }))();
  }

  /**
   * Manual rotation (admin). `ecm`: for each channel (one or all) the current period gets a new
   * generation from now on and the next period a new key; what was served keeps working.
   * `emm`: for each package (one or all) a new epoch starts now; prepared next epochs are voided.
   */
  rotate(kind: RotationKind, target: { channel?: string; package?: string }, actor: Actor): KeyRotateResult {
    const now = this.ctx.clock.now();
    const ids = kind === 'ecm' ? this.#rotateChannels(target.channel, now, actor) : this.#rotatePackages(target.package, now, actor);
    return { kind, rotations: announceRotations(this.ctx, ids) };
  }

  #rotateChannels(only: string | undefined, now: number, actor: Actor): number[] {
    const channels = this.controlWords.channelIds(only);
    return this.ctx.db.transaction(() => {
      const ids = channels.flatMap((id) => this.controlWords.addGenerationsInTx(id, now, actor));
      recordAudit(this.ctx.db, now, actor, {
        action: 'keys.rotate',
        targetType: 'channel',
        targetId: only ?? null,
        summary: { kind: 'ecm', scope: only ?? 'all', channels: channels.length },
      });
      return ids;
    })();
  }

  #rotatePackages(only: string | undefined, now: number, actor: Actor): number[] {
    const packages = this.packageEpochs.packageIds(only);
    return this.ctx.db.transaction(() => {
      const ids = packages.flatMap((id) => this.packageEpochs.startEpochInTx(id, now, actor));
      recordAudit(this.ctx.db, now, actor, {
        action: 'keys.rotate',
        targetType: 'package',
        targetId: only ?? null,
        summary: { kind: 'emm', scope: only ?? 'all', packages: packages.length },
      });
      return ids;
    })();
  }
}

/**
 * The key rotator: a background job of the server process. Each tick makes sure every channel
 * holds the keys of its current and next crypto period and every package its current and next
 * key epoch (idempotent, keyed by period number, so restarts and clock jumps neither leave gaps
 * nor duplicate keys), and each minute deletes keys past their retention window.
 */
export function startKeyRotator(background: BackgroundTasks, rotation: KeyRotation, logger: Logger): void {
  background.every('key-rotator', ROTATOR_INTERVAL_MS, () => rotation.ensureKeys(), { runNow: true });
  background.every(
    'key-retention',
    PRUNE_INTERVAL_MS,
    () => {
      const deleted = rotation.prune();
      if (deleted.controlWords + deleted.packageKeys + deleted.rotations > 0) logger.info(deleted, 'expired keys deleted');
    },
    { runNow: true },
  );
}
