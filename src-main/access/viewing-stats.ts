import type { Db } from '../db/connection';
import { channelNames } from '../channels/channel-queries';
import { isoFromMs, isoOrNull } from '../kernel/clock';
import type { AccountStats, ChannelStats, ViewingSession } from '../../src-shared/schemas/sessions';
import {
  accountTotals,
  channelTotals,
  listSessionRows,
  peaksOf,
  sessionRowById,
  type SessionFilter,
  type StatsRange,
  type ViewingSessionRow,
} from './viewing-session-queries';

export function toViewingSession(row: ViewingSessionRow): ViewingSession {
  return {
    id: row.id,
    accountId: row.account_id,
    username: row.username,
    channelId: row.channel_id,
    source: row.source,
    ip: row.ip,
    userAgent: row.user_agent,
    startedAt: isoFromMs(row.started_at),
    lastSeenAt: isoFromMs(row.last_seen_at),
    endedAt: isoOrNull(row.ended_at),
    endReason: row.end_reason,
    active: row.ended_at === null,
    requests: row.requests,
    bytes: row.bytes,
  };
}

/** Newest first; account, channel and IP filters use their indexes, `active` the partial index. */
export function listSessions(db: Db, filter: SessionFilter, page: number, pageSize: number): { items: ViewingSession[]; total: number } {
  const { rows, total } = listSessionRows(db, filter, page, pageSize);
  return { items: rows.map(toViewingSession), total };
}

export function sessionById(db: Db, id: number): ViewingSession | undefined {
  const row = sessionRowById(db, id);
  return row ? toViewingSession(row) : undefined;
}

/** Watch time (clipped to the range), sessions, distinct viewers and peak viewers per channel. */
export function channelStats(db: Db, range: StatsRange, page: number, pageSize: number): { items: ChannelStats[]; total: number } {
  const { rows, total } = channelTotals(db, range, page, pageSize);
  const peak = peaksOf(db, 'channel', range);
  const names = channelNames(
    db,
    rows.map((r) => r.channel_id),
  );
  return {
    total,
    items: rows.map((r) => ({
      channelId: r.channel_id,
      name: names.get(r.channel_id) ?? null,
      sessions: r.sessions,
      viewers: r.viewers,
      watchSeconds: Math.round(r.watch_ms / 1000),
      peakViewers: peak.get(r.channel_id) ?? 0,
    })),
  };
}

/** Watch time, sessions, channels and peak simultaneous sessions per account. */
export function accountStats(db: Db, range: StatsRange, page: number, pageSize: number): { items: AccountStats[]; total: number } {
  const { rows, total } = accountTotals(db, range, page, pageSize);
  const peak = peaksOf(db, 'account', range);
  return {
    total,
    items: rows.map((r) => ({
      accountId: r.account_id,
      username: r.username,
      sessions: r.sessions,
      channels: r.channels,
      watchSeconds: Math.round(r.watch_ms / 1000),
      peakSessions: peak.get(String(r.account_id)) ?? 0,
    })),
  };
}
