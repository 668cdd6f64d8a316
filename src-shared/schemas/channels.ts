import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { pageQuerySchema, slugSchema, wholeNumberIn } from './common';
import { channelWatermarkPatchSchema, channelWatermarkSchema } from './devices-watermarks';
import { urlSigningSchemeSchema } from './access';
import { httpUrlSchema } from './access-settings';
import { canonicalPath } from '../net/canonical-path';
import { channelWarningSchema } from './links';

/**
 * Path on the streaming server, e.g. `/tv/travel-channel/index.m3u8`: canonical (no
 * percent-encoding, `;`, `//`, `.` or `..`), since requests for any other form are refused.
 */
export const streamPathSchema = z
  .string()
  .trim()
  .max(512, 'At most 512 characters')
  .superRefine((value, check) => {
    const verdict = canonicalPath(value);
    if (!verdict.ok) check.addIssue({ code: 'custom', message: `A canonical URL path starting with "/": ${verdict.problem}`, params: issueCode('invalid_stream_path') });
  });

export const logoUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\//.test(v) || v.startsWith('/logos/'), { message: 'An http(s) URL or an uploaded logo', params: issueCode('invalid_logo_url') });

/** Where `/hls/<channel>/...` reads playlists: an http(s) base URL or an absolute folder path. */
export const hlsOriginSchema = z
  .string()
  .trim()
  .max(1024, 'At most 1024 characters')
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v) || /^\/[^\0]*$/.test(v), { message: 'An http(s) URL or an absolute folder path', params: issueCode('invalid_hls_origin') })
  .refine((v) => !/^https?:\/\/[^/?#]*@/.test(v), { message: 'No user:password@: the CAS sends no credential to an origin', params: issueCode('hls_origin_has_credentials') });

/** Crypto period length in seconds (control words rotate at every period boundary). */
export const cryptoPeriodSecondsSchema = z.number().int('Whole seconds').min(2, 'At least 2 seconds').max(86400, 'At most one day');

export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  number: z.number().int().nullable(),
  /** The channel's group in playlists (`group-title`); null: the name of its first package the viewer holds. */
  group: z.string().nullable(),
  /** Where the group comes in playlists (lower first); one value for every channel of the group. */
  groupOrder: z.number().int(),
  /** Where the channel comes inside its group (lower first); null: after the positioned ones, by number. */
  position: z.number().int().nullable(),
  logo: z.string().nullable(),
  streamPath: z.string(),
  enabled: z.boolean(),
  packages: z.array(z.string()),
  cryptoPeriodSeconds: z.number().int(),
  hlsOrigin: z.string().nullable(),
  /** How stream URLs of this channel are signed in playlists (see `urlSigningSchemes`). */
  urlSigning: urlSigningSchemeSchema,
  /** Streaming server base URL for this channel; null uses the `defaultStreamBaseUrl` setting. */
  streamBaseUrl: z.string().nullable(),
  /** Watermark overrides; null fields inherit the default watermark (a setting). */
  watermark: channelWatermarkSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Channel = z.infer<typeof channelSchema>;

/** A channel as the admin API answers it: with what keeps its links from playing (the save still succeeds). */
export const channelViewSchema = channelSchema.extend({ warnings: z.array(channelWarningSchema) });
export type ChannelView = z.infer<typeof channelViewSchema>;
/** A group name as typed; blank means no group. */
const channelGroupSchema = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? null : v),
  z.string().trim().max(64, 'At most 64 characters').nullable(),
);

const channelFields = {
  name: z.string().trim().min(1, 'Required').max(200, 'At most 200 characters'),
  number: wholeNumberIn(0, 99999).nullable(),
  group: channelGroupSchema,
  groupOrder: wholeNumberIn(0, 9999),
  position: wholeNumberIn(0, 99999).nullable(),
  logo: logoUrlSchema.nullable(),
  streamPath: streamPathSchema,
  enabled: z.boolean(),
  packages: z.array(slugSchema).max(200),
  cryptoPeriodSeconds: cryptoPeriodSecondsSchema,
  hlsOrigin: hlsOriginSchema.nullable(),
  watermark: channelWatermarkPatchSchema,
  urlSigning: urlSigningSchemeSchema,
  streamBaseUrl: httpUrlSchema.nullable(),
};

export const channelCreateSchema = z
  .object({
    id: slugSchema,
    name: channelFields.name,
    number: channelFields.number.optional().default(null),
    group: channelFields.group.optional().default(null),
    /** Omitted: the order the group already has (0 for a new group). */
    groupOrder: channelFields.groupOrder.optional(),
    position: channelFields.position.optional().default(null),
    logo: channelFields.logo.optional().default(null),
    streamPath: channelFields.streamPath.optional(),
    enabled: channelFields.enabled.default(true),
    packages: channelFields.packages.default([]),
    cryptoPeriodSeconds: channelFields.cryptoPeriodSeconds.default(600),
    hlsOrigin: channelFields.hlsOrigin.optional().default(null),
    watermark: channelFields.watermark.optional(),
    urlSigning: channelFields.urlSigning.default('token'),
    streamBaseUrl: channelFields.streamBaseUrl.optional().default(null),
  })
  .strict();
export type ChannelCreate = z.input<typeof channelCreateSchema>;

export const channelUpdateSchema = z.object(channelFields).partial().strict();
export type ChannelUpdate = z.input<typeof channelUpdateSchema>;

/** `order`: as playlists list them (group order, group, position, number); the others by that column. */
export const channelSortFields = ['order', 'number', 'name', 'group'] as const;
export type ChannelSort = (typeof channelSortFields)[number];

export const channelListQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(100).optional(),
  package: slugSchema.optional(),
  sort: z.enum(channelSortFields).default('order'),
  order: z.enum(['asc', 'desc']).default('asc'),
  pageSize: z.coerce.number().int().min(1).max(5000).default(500),
});

/** The default stream path for a channel id, as Astra's manual shows it. */
export function defaultStreamPath(channelId: string): string {
  return `/tv/${channelId}/index.m3u8`;
}
