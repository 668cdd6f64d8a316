import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import type { Actor } from '../kernel/actor';
import { NotFoundError } from '../../src-shared/errors';
import type { DashboardSummary } from '../../src-shared/schemas/access';
import type { AccessService } from './access-service';
import type { SharingDetector } from './sharing';
import type { ViewerDirectory } from './viewer-directory';
import { hourlyCountsSince } from './access-log';
import { sessionRowById } from './viewing-session-queries';
import { DEVICE_CHANNEL, type ViewingSessions } from './viewing-sessions';

/** What the admin API asks of access beyond single reads: the dashboard's figures, ending a session. */

const HOUR_MS = 3_600_000;

/** Viewers now, authorizations and refusals per hour over 24 h, the top channels, open sharing flags. */
export function dashboardSummary(
  ctx: CasContext,
  { access, viewingSessions, directory, sharing }: { access: AccessService; viewingSessions: ViewingSessions; directory: ViewerDirectory; sharing: SharingDetector },
): DashboardSummary {
  const now = ctx.clock.now();
  viewingSessions.sweepIdle(now, ctx.settings.get().sessionIdleSeconds * 1000);
  access.flush();
  const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const rows = hourlyCountsSince(ctx.db, firstHour);
  const hourly = Array.from({ length: 24 }, (_, i) => ({ hour: isoFromMs(firstHour + i * HOUR_MS), authorizations: 0, refusals: 0 }));
  const refusalsByReason: Record<string, number> = {};
  const authorizations = new Map<string, number>();
  for (const row of rows) {
    const bucket = hourly[Math.floor((row.hour - firstHour) / HOUR_MS)];
    if (!bucket) continue;
    if (row.result === 'allow') {
      bucket.authorizations += row.n;
      if (row.channel_id) authorizations.set(row.channel_id, (authorizations.get(row.channel_id) ?? 0) + row.n);
    } else {
      bucket.refusals += row.n;
      refusalsByReason[row.reason] = (refusalsByReason[row.reason] ?? 0) + row.n;
    }
  }
  const viewers = viewingSessions.viewersPerChannel();
  // Device connections count in viewersNow but watch no one channel.
  const channelIds = new Set([...viewers.keys(), ...authorizations.keys()].filter((id) => id !== DEVICE_CHANNEL));
  const topChannels = [...channelIds]
    .map((channelId) => ({
      channelId,
      name: directory.channel(channelId)?.name ?? channelId,
      viewers: viewers.get(channelId) ?? 0,
      authorizations24h: authorizations.get(channelId) ?? 0,
    }))
    .sort((a, b) => b.viewers - a.viewers || b.authorizations24h - a.authorizations24h || a.channelId.localeCompare(b.channelId))
    .slice(0, 10);
  return {
    generatedAt: isoFromMs(now),
    viewersNow: viewingSessions.activeCount,
    accountsWatching: viewingSessions.accountsWatching(),
    hourly,
    refusalsByReason,
    topChannels,
    openSharingFlags: sharing.openFlagCount(),
  };
}

/**
 * Ends a viewing session for an operator (its next auth check is refused for
 * endedSessionBanSeconds) and audits it; a session that already ended is left as it is.
 */
export function endSessionByAdmin(
  ctx: CasContext,
  { access, viewingSessions }: { access: AccessService; viewingSessions: ViewingSessions },
  id: number,
  actor: Actor,
): void {
  const live = viewingSessions.get(id);
  if (!live) {
    access.flush();
    if (!sessionRowById(ctx.db, id)) throw new NotFoundError('session_not_found', { id }, 'Session not found');
    return; // already ended
  }
  access.endSession(id);
  ctx.db.transaction(() => {
    viewingSessions.flush(ctx.clock.now());
    recordAudit(ctx.db, ctx.clock.now(), actor, {
      action: 'session.end',
      targetType: 'session',
      targetId: id,
      summary: { accountId: live.accountId, username: live.username, channelId: live.channelId, ip: live.ip },
    });
  })();
}
