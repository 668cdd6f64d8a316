import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { pageQuerySchema, slugSchema } from './common';

/**
 * Content keys as the admin API, packagers and players see them. Key bytes appear only in the
 * packager answer (scope `packager`) and on `/keys/...`; the admin views never carry them.
 */

/**
 * A key's identity in URLs: the period number, and `-<generation>` when a manual ECM rotation
 * replaced the period's key part-way (`2941234` then `2941234-1`).
 */
export const keyIdSchema = z
  .string()
  .regex(/^\d{1,15}(-\d{1,6})?$/, 'A period number, optionally followed by "-" and a generation');

export const keyPathParamsSchema = z.object({ channel: slugSchema, period: keyIdSchema });

export const rotationKindSchema = z.enum(['ecm', 'emm']);
export type RotationKind = z.infer<typeof rotationKindSchema>;
export const rotationTriggerSchema = z.enum(['scheduled', 'manual']);

export const channelKeyStatusSchema = z.object({
  channelId: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  cryptoPeriodSeconds: z.number().int(),
  /** `floor(unixSeconds / cryptoPeriodSeconds)`: the same on every node and after restarts. */
  currentPeriod: z.number().int(),
  /** 0 unless a manual rotation replaced the current period's key. */
  currentGeneration: z.number().int(),
  periodStartedAt: z.string(),
  nextRotationAt: z.string(),
  /** Whether the key of the next period exists already (it should, always). */
  nextKeyReady: z.boolean(),
  /** Control words held for this channel (retention window included). */
  keysHeld: z.number().int(),
  oldestKeyPeriodEndsAt: z.string().nullable(),
  lastRotatedAt: z.string().nullable(),
});
export type ChannelKeyStatus = z.infer<typeof channelKeyStatusSchema>;

export const packageKeyStatusSchema = z.object({
  packageId: z.string(),
  name: z.string(),
  currentEpoch: z.number().int().nullable(),
  epochStartedAt: z.string().nullable(),
  nextRotationAt: z.string().nullable(),
  nextKeyReady: z.boolean(),
  keysHeld: z.number().int(),
});
export type PackageKeyStatus = z.infer<typeof packageKeyStatusSchema>;

export const keyStatusSchema = z.object({
  serverTime: z.string(),
  keyEpochDays: z.number().int(),
  controlWordRetentionHours: z.number().int(),
  channels: z.array(channelKeyStatusSchema),
  packages: z.array(packageKeyStatusSchema),
});
export type KeyStatus = z.infer<typeof keyStatusSchema>;

/**
 * Manual rotation: `ecm` replaces the control word of the current period (for what was not
 * served yet) and regenerates the next one, for one channel or all; `emm` starts a new
 * package-key epoch now, for one package or all.
 */
export const keyRotateSchema = z
  .object({
    kind: rotationKindSchema,
    channel: slugSchema.optional(),
    package: slugSchema.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind === 'ecm' && value.package !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['package'], message: 'An ECM rotation names a channel, not a package', params: issueCode('ecm_rotation_names_channel') });
    }
    if (value.kind === 'emm' && value.channel !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'An EMM rotation names a package, not a channel', params: issueCode('emm_rotation_names_package') });
    }
  });
export type KeyRotate = z.input<typeof keyRotateSchema>;

export const rotationSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  kind: rotationKindSchema,
  trigger: rotationTriggerSchema,
  channelId: z.string().nullable(),
  packageId: z.string().nullable(),
  /** ECM: the period whose key was made, and its generation. */
  period: z.number().int().nullable(),
  generation: z.number().int().nullable(),
  /** EMM: the package-key epoch made. */
  epoch: z.number().int().nullable(),
  /** When the new key takes effect. */
  startsAt: z.string(),
  actor: z.string(),
});
export type Rotation = z.infer<typeof rotationSchema>;

export const keyRotateResultSchema = z.object({
  kind: rotationKindSchema,
  rotations: z.array(rotationSchema),
});
export type KeyRotateResult = z.infer<typeof keyRotateResultSchema>;

export const rotationListQuerySchema = pageQuerySchema.extend({
  kind: rotationKindSchema.optional(),
  trigger: rotationTriggerSchema.optional(),
  channel: slugSchema.optional(),
  package: slugSchema.optional(),
});

/** One period's key as a packager needs it. */
export const packagerPeriodKeySchema = z.object({
  period: z.number().int(),
  generation: z.number().int(),
  /** The `<period>` segment of the key URI (`2941234` or `2941234-1`). */
  keyId: z.string(),
  /** What goes into EXT-X-KEY: where players fetch this key. */
  keyUri: z.string(),
  /** 32 hex characters (AES-128). */
  key: z.string(),
  /** 32 hex characters. */
  iv: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
});
export type PackagerPeriodKey = z.infer<typeof packagerPeriodKeySchema>;

export const packagerKeyInfoSchema = z.object({
  channel: z.string(),
  cryptoPeriodSeconds: z.number().int(),
  serverTime: z.string(),
  current: packagerPeriodKeySchema,
  next: packagerPeriodKeySchema,
});
export type PackagerKeyInfo = z.infer<typeof packagerKeyInfoSchema>;

export const packagerChannelParamsSchema = z.object({ channel: slugSchema });

/**
 * One segment of an `/hls` path, already percent-decoded once by the router: no `%` (so nothing
 * decodes again further on), no `:` (so no scheme such as `http:` or `data:`), no backslash, and no
 * leading dot (so no `.` or `..` and no hidden files).
 */
const HLS_PATH_SEGMENT = "[A-Za-z0-9_~!$&'()+,;=@-][A-Za-z0-9._~!$&'()+,;=@-]*";

/** `/hls/<channel>/<path>`: a canonical relative path below the channel's origin (no empty segment, so no `//`). */
export const hlsPathParamsSchema = z.object({
  channel: slugSchema,
  path: z
    .string()
    .max(1024)
    .regex(
      new RegExp(`^${HLS_PATH_SEGMENT}(?:/${HLS_PATH_SEGMENT})*$`),
      'A relative path below the channel origin: no scheme, "%", "\\", empty or dot-leading segment',
    ),
});
