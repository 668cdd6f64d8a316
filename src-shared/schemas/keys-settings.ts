import { z } from 'zod';

/** Settings of the content-key capability (spread into `settingsSchema`). */
export const keysSettingsShape = {
  /** Length of a package-key epoch; a new epoch (and key) starts when one ends. */
  keyEpochDays: z.number().int().min(1).max(365).default(30),
  /** How long control words stay after their period ended (catch-up, DVR); then deleted. */
  controlWordRetentionHours: z.number().int().min(0).max(24 * 90).default(24),
  /** How long package keys stay after their epoch ended. */
  packageKeyRetentionDays: z.number().int().min(1).max(3650).default(90),
  /** How long rotation history rows are kept. */
  keyRotationHistoryDays: z.number().int().min(1).max(3650).default(30),
  /** Lifetime of the ticket on key and segment URIs of a rewritten playlist (renewed on reload). */
  hlsKeyTicketSeconds: z.number().int().min(10).max(24 * 3600).default(300),
  /** Lifetime of the ticket on variant playlist URIs (each reload re-checks entitlement). */
  hlsPlaylistTicketHours: z.number().int().min(1).max(24 * 7).default(12),
  /** Longest time one read of a channel's HTTP origin may take, redirects and body included. */
  hlsOriginTimeoutSeconds: z.number().int().min(1).max(60).default(5),
};

/** Write-only secrets of the content-key capability. */
export const keysSecretNames = ['hlsTicketSecret'] as const;
