import { z } from 'zod';
import { issueCode } from '../zod-issue-errors';
import { formatIpRange, parseIpRange } from '../net/ip-ranges';
import { isDateOnly } from '../time/expiry';

/** A stable identifier as streaming servers use it: `travel-channel`, `basic-plus`. */
export const slugSchema = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(64, 'At most 64 characters')
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'Lower-case letters, digits, "-" and "_", starting with a letter or digit');

export const idParamSchema = z.object({ id: z.coerce.number().int().positive('Must be a positive id') });
export const slugParamSchema = z.object({ id: slugSchema });

/** ISO 8601 date-time with offset, e.g. `2026-12-31T23:59:59Z`. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true, message: 'Expected an ISO 8601 date-time' });

/**
 * An expiry as the operator types it: an ISO 8601 date-time with offset, or a date alone
 * (`2030-12-31`), which means the end of that day in the operator's time zone (see `expiryMs`).
 */
export const expiryInputSchema = z
  .string()
  .trim()
  .refine((v) => isDateOnly(v) || isoDateTimeSchema.safeParse(v).success, {
    message: 'Expected a date (2030-12-31) or an ISO 8601 date-time',
    params: issueCode('invalid_expiry'),
  });

/** A whole number the operator types, refused (never clamped) outside `min`–`max`, saying the range. */
export function wholeNumberIn(min: number, max: number) {
  const range = `Between ${min} and ${max}`;
  return z.number(range).int(`Whole number, ${range.toLowerCase()}`).min(min, range).max(max, range);
}

/** An IPv4/IPv6 address or CIDR network, normalised to `network/prefix`. */
export const ipRangeSchema = z
  .string()
  .trim()
  .transform((text, ctx) => {
    const range = parseIpRange(text);
    if (!range) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not an IP address or CIDR network`, params: issueCode('invalid_ip_range', { range: text }) });
      return z.NEVER;
    }
    return formatIpRange(range);
  });

export const ipRangeListSchema = z.array(ipRangeSchema).max(1000, 'At most 1000 entries');

export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500, 'At most 500 rows a page').default(50),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  });
}

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };
