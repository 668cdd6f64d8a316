import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import type { Rotation } from '../../src-shared/schemas/keys';
import { rotationById, type RotationRow } from './key-queries';

/** A `key_rotations` row as the admin API shows it. */
export function toRotation(row: RotationRow): Rotation {
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
 * Every key made leaves a row in `key_rotations` (written in the same transaction as the key);
 * once that transaction committed, this counts it and logs one `key rotated` line per row (never key bytes).
 */
export function announceRotations(ctx: CasContext, ids: readonly number[]): Rotation[] {
  const rotations = ids.map((id) => toRotation(rotationById(ctx.db, id)));
  for (const r of rotations) {
    ctx.metrics.keyRotations.inc({ kind: r.kind, trigger: r.trigger });
    ctx.logger.info(
      {
        kind: r.kind,
        trigger: r.trigger,
        channel: r.channelId ?? undefined,
        package: r.packageId ?? undefined,
        period: r.period ?? undefined,
        generation: r.generation ?? undefined,
        epoch: r.epoch ?? undefined,
        startsAt: r.startsAt,
      },
      'key rotated',
    );
  }
  return rotations;
}
