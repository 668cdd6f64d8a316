import { z } from 'zod';
import { pageQuerySchema, slugSchema } from './common';

/** Path on the streaming server, e.g. `/tv/travel-channel/index.m3u8`. */
export const streamPathSchema = z
  .string()
  .trim()
  .max(512, 'At most 512 characters')
  .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/, 'A URL path starting with "/"');

export const logoUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((v) => /^https?:\/\//.test(v) || v.startsWith('/logos/'), 'An http(s) URL or an uploaded logo');

export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  number: z.number().int().nullable(),
  logo: z.string().nullable(),
  streamPath: z.string(),
  enabled: z.boolean(),
  packages: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Channel = z.infer<typeof channelSchema>;

const channelFields = {
  name: z.string().trim().min(1, 'Required').max(200, 'At most 200 characters'),
  number: z.number().int('Whole number').min(0).max(99999).nullable(),
  logo: logoUrlSchema.nullable(),
  streamPath: streamPathSchema,
  enabled: z.boolean(),
  packages: z.array(slugSchema).max(200),
};

export const channelCreateSchema = z
  .object({
    id: slugSchema,
    name: channelFields.name,
    number: channelFields.number.optional().default(null),
    logo: channelFields.logo.optional().default(null),
    streamPath: channelFields.streamPath.optional(),
    enabled: channelFields.enabled.default(true),
    packages: channelFields.packages.default([]),
  })
  .strict();
export type ChannelCreate = z.input<typeof channelCreateSchema>;

export const channelUpdateSchema = z.object(channelFields).partial().strict();
export type ChannelUpdate = z.input<typeof channelUpdateSchema>;

export const channelListQuerySchema = pageQuerySchema.extend({
  q: z.string().trim().max(100).optional(),
  package: slugSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(5000).default(500),
});

/** The default stream path for a channel id, as Astra's manual shows it. */
export function defaultStreamPath(channelId: string): string {
  return `/tv/${channelId}/index.m3u8`;
}
