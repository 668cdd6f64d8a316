import { z } from 'zod';
import { isoDateTimeSchema, pageOf, pageQuerySchema, slugSchema } from './common';

/** A viewing session: one viewer (server session id, or IP + user agent) on one channel. */
export const viewingSessionSchema = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  username: z.string(),
  channelId: z.string(),
  /** `astra`, `nginx`, `flussonic`, ..., or `device` (a signed-in device's connection: no channel). */
  source: z.string(),
  ip: z.string(),
  userAgent: z.string().nullable(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  endedAt: z.string().nullable(),
  /** `idle`, `admin`, `over_limit`, `handover`, `account_changed`, `suspended`. */
  endReason: z.string().nullable(),
  active: z.boolean(),
  requests: z.number().int(),
  /** As the streaming server reported it, when it does (Flussonic). */
  bytes: z.number().int().nullable(),
});
export type ViewingSession = z.infer<typeof viewingSessionSchema>;

export const sessionListQuerySchema = pageQuerySchema.extend({
  account: z.coerce.number().int().positive().optional(),
  channel: slugSchema.optional(),
  ip: z.string().trim().min(1).max(64).optional(),
  state: z.enum(['active', 'ended', 'all']).default('active'),
});
export type SessionListQuery = z.input<typeof sessionListQuerySchema>;

/** A time range; defaults to the last 24 hours. */
export const statsQuerySchema = pageQuerySchema.extend({
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
  account: z.coerce.number().int().positive().optional(),
  channel: slugSchema.optional(),
});
export type StatsQuery = z.input<typeof statsQuerySchema>;

export const channelStatsSchema = z.object({
  channelId: z.string(),
  name: z.string().nullable(),
  sessions: z.number().int(),
  /** Distinct accounts that watched. */
  viewers: z.number().int(),
  watchSeconds: z.number().int(),
  /** Most simultaneous sessions in any hour of the range. */
  peakViewers: z.number().int(),
});
export type ChannelStats = z.infer<typeof channelStatsSchema>;

export const accountStatsSchema = z.object({
  accountId: z.number().int(),
  username: z.string(),
  sessions: z.number().int(),
  channels: z.number().int(),
  watchSeconds: z.number().int(),
  /** Most simultaneous sessions of this account in any hour of the range. */
  peakSessions: z.number().int(),
});
export type AccountStats = z.infer<typeof accountStatsSchema>;

export const statsRangeSchema = z.object({ from: z.string(), to: z.string() });

/** A page of statistics and the time range it covers. */
export const channelStatsPageSchema = pageOf(channelStatsSchema).extend({ range: statsRangeSchema });
export type ChannelStatsPage = z.infer<typeof channelStatsPageSchema>;
export const accountStatsPageSchema = pageOf(accountStatsSchema).extend({ range: statsRangeSchema });
export type AccountStatsPage = z.infer<typeof accountStatsPageSchema>;
