import type { CasContext } from '../kernel/context';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import { NotFoundError } from '../../src-shared/errors';
import type { Page } from '../../src-shared/schemas/common';
import type { ChannelKeyStatus, KeyStatus, PackageKeyStatus, Rotation } from '../../src-shared/schemas/keys';
import {
  controlWordCounts,
  lastRotationPerChannel,
  latestControlWord,
  listRotations,
  packageKeyAt,
  packageKeyCounts,
  packageKeyStartingAt,
  type RotationFilter,
} from './key-queries';
import { cryptoPeriodAt } from './control-words';
import { toRotation } from './rotation-log';
import { allChannelRows } from '../channels/channel-queries';
import { allPackageRows } from '../packages/package-queries';

/**
 * What the dashboard and the admin API read about content keys: per channel and package where
 * its keys stand, and the rotation history. Read-only, and never key bytes (it opens no key).
 */
export class KeyStatusView {
  constructor(private readonly ctx: CasContext) {}

  status(): KeyStatus {
    const now = this.ctx.clock.now();
    const settings = this.ctx.settings.get();
    return {
      serverTime: isoFromMs(now),
      keyEpochDays: settings.keyEpochDays,
      controlWordRetentionHours: settings.controlWordRetentionHours,
      channels: this.#channels(now),
      packages: this.#packages(now),
    };
  }

  /** The status of one channel; throws NotFoundError for an unknown channel. */
  channelStatus(channelId: string): ChannelKeyStatus {
    const status = this.#channels(this.ctx.clock.now()).find((c) => c.channelId === channelId);
    if (!status) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
    return status;
  }

  /** The rotation history, newest first. */
  history(filter: RotationFilter, page: number, pageSize: number): Page<Rotation> {
    const { rows, total } = listRotations(this.ctx.db, filter, page, pageSize);
    return { items: rows.map(toRotation), total, page, pageSize };
  }

  #channels(now: number): ChannelKeyStatus[] {
    const { db } = this.ctx;
    const counts = new Map(controlWordCounts(db).map((c) => [c.channel_id, c]));
    const lastRotated = new Map(lastRotationPerChannel(db).map((r) => [r.channel_id, r.at]));
    const rows = allChannelRows(db);
    return rows.map((row) => {
      const period = cryptoPeriodAt(row.id, row.crypto_period_seconds, now);
      const current = latestControlWord(db, row.id, row.crypto_period_seconds, period.period);
      const next = latestControlWord(db, row.id, row.crypto_period_seconds, period.period + 1);
      const count = counts.get(row.id);
      return {
        channelId: row.id,
        name: row.name,
        enabled: row.enabled === 1,
        cryptoPeriodSeconds: row.crypto_period_seconds,
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
  }

  #packages(now: number): PackageKeyStatus[] {
    const { db } = this.ctx;
    const counts = new Map(packageKeyCounts(db).map((c) => [c.package_id, c.n]));
    const rows = allPackageRows(db);
    return rows.map((pkg) => {
      const current = packageKeyAt(db, pkg.id, now);
      const live = current && current.ends_at > now ? current : undefined;
      return {
        packageId: pkg.id,
        name: pkg.name,
        currentEpoch: live?.epoch ?? null,
        epochStartedAt: isoOrNull(live?.starts_at ?? null),
        nextRotationAt: isoOrNull(live?.ends_at ?? null),
        nextKeyReady: live ? packageKeyStartingAt(db, pkg.id, live.ends_at) !== undefined : false,
        keysHeld: counts.get(pkg.id) ?? 0,
      };
    });
  }
}
