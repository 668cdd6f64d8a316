import { z } from 'zod';
import { watermarkSpecSchema } from './devices-watermarks';

/** Settings of the device capability (spread into `settingsSchema`). */
export const devicesSettingsShape = {
  /** Largest accepted |server time − ts| of a device sign-in, in seconds; nonces are kept this long. */
  deviceAuthWindowSeconds: z.number().int().min(30).max(3600).default(300),
  /** Lifetime of a device session (bearer) handed out at sign-in. */
  deviceSessionMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
  /** Sign-in attempts allowed per client IP and minute. */
  deviceAuthPerMinute: z.number().int().min(1).max(100_000).default(120),
  /** The watermark of channels that do not override it. */
  defaultWatermark: watermarkSpecSchema.default(watermarkSpecSchema.parse({})),
  /** Largest accepted logo upload, in bytes. */
  logoMaxBytes: z.number().int().min(1024).max(5 * 1024 * 1024).default(512 * 1024),
};
