import { z } from 'zod';
import { isoDateTimeSchema, pageQuerySchema, slugSchema } from './common';
import { parseIpAddress } from '../net/ip-ranges';

/**
 * How a channel's stream URLs are signed in playlists and stream info:
 * `token` — a stream ticket `?ticket=s…` for the account and channel, never the account token (servers that ask the CAS: Astra backend, nginx auth_request, Flussonic);
 * `astra-id` / `astra-path` — Astra securetoken over the channel id / the channel path;
 * `flussonic` — Flussonic securetoken over the stream name (the channel id) with the account as user id;
 * `nginx-secure-link` — nginx `secure_link_md5` with expiry.
 */
export const urlSigningSchemes = ['token', 'astra-id', 'astra-path', 'flussonic', 'nginx-secure-link'] as const;
export const urlSigningSchemeSchema = z.enum(urlSigningSchemes);
export type UrlSigningScheme = z.infer<typeof urlSigningSchemeSchema>;

/** Refusal reasons, carried by logs, the sessions view and backend responses (the decision contract re-exports them). */
export const refusalReasonValues = [
  'ip_denied',
  'no_credential',
  'bad_credential',
  'disabled',
  'expired',
  'ip_not_allowed',
  'not_entitled',
  'channel_unknown',
  'channel_disabled',
  'connection_limit',
  'session_ended',
  'suspended',
  'rate_limited',
  'non_canonical_path',
  'channel_mismatch',
] as const;
export const refusalReasonSchema = z.enum(refusalReasonValues);

export const allowRules = ['allow_list', 'credential', 'signed_url'] as const;
export const allowRuleSchema = z.enum(allowRules);
export type AllowRule = z.infer<typeof allowRuleSchema>;

// ---- IP allow / deny lists ----

export const ipListNames = ['allow', 'deny'] as const;
export const ipListNameSchema = z.enum(ipListNames);

export const ipRuleSchema = z.object({
  id: z.number().int(),
  list: ipListNameSchema,
  /** Normalised `address/prefix`. */
  range: z.string(),
  comment: z.string(),
  createdAt: z.string(),
});
export type IpRule = z.infer<typeof ipRuleSchema>;

export const ipRuleCreateSchema = z
  .object({
    list: ipListNameSchema,
    /** An IPv4/IPv6 address or CIDR network (`::ffff:a.b.c.d` is read as IPv4). */
    range: z.string().trim().min(1, 'Required').max(64),
    comment: z.string().max(500, 'At most 500 characters').default(''),
  })
  .strict();
export type IpRuleCreate = z.input<typeof ipRuleCreateSchema>;

export const ipRuleListQuerySchema = z.object({ list: ipListNameSchema.optional() });

// ---- Explanation ----

export const accessCheckNames = [
  'deny_list',
  'allow_list',
  'rate_limit',
  'credential',
  'account_enabled',
  'account_expiry',
  'suspension',
  'account_ips',
  'channel',
  'entitlement',
  'connection_limit',
] as const;

/**
 * What one step of an explanation says, as a code with the names of the `params` its sentence
 * needs (dates as ISO strings, lists joined with ", ", empty when there is none): clients say it in
 * their own language; the dashboard has a text for each in every language (a unit test checks that).
 */
export const explainStepCatalogue = {
  ip_denied: ['ip', 'range'],
  ip_not_denied: ['ip'],
  ip_allow_listed: ['ip', 'range'],
  ip_not_allow_listed: ['ip'],
  no_credential: [],
  no_account: ['account'],
  account_gone: [],
  already_authenticated: ['username'],
  unknown_token: [],
  token_of: ['username'],
  password_recently_verified: ['username'],
  password_of: ['username'],
  wrong_password: [],
  too_many_failures: ['ip', 'username'],
  too_many_password_checks: [],
  signed_unknown_channel: [],
  signed_expired: [],
  signed_invalid: [],
  signed_unknown_account: ['userId'],
  signed_token_of: ['username'],
  signed_token_anonymous: [],
  ticket_invalid: [],
  ticket_of: ['username'],
  account_disabled: ['username'],
  account_enabled: ['username'],
  account_expired: ['date'],
  no_expiry: [],
  valid_until: ['date'],
  suspended: [],
  not_suspended: [],
  ip_not_among_allowed: ['ip', 'ranges'],
  ip_within: ['ip', 'range'],
  no_ip_restriction: [],
  channel_unknown: ['channel'],
  channel_disabled: ['channel'],
  channel_enabled: ['channel'],
  not_entitled: ['channel', 'packages', 'channelPackages'],
  entitled: ['channel', 'packages'],
  no_connection_limit: ['active'],
  connections_in_use: ['active', 'max', 'policy'],
} as const satisfies Record<string, readonly string[]>;
export type ExplainStepCode = keyof typeof explainStepCatalogue;
export type ExplainStepParams<C extends ExplainStepCode = ExplainStepCode> = C extends ExplainStepCode
  ? { [K in (typeof explainStepCatalogue)[C][number]]: string | number }
  : never;
export const explainStepCodes = Object.keys(explainStepCatalogue) as ExplainStepCode[];

export const accessStepSchema = z.object({
  check: z.enum(accessCheckNames),
  outcome: z.enum(['pass', 'fail', 'skip']),
  code: z.enum(explainStepCodes as [ExplainStepCode, ...ExplainStepCode[]]),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The step in English, for scripts; clients in other languages say `code` with `params`. */
  detail: z.string(),
  /** The instant the detail names (an account's expiry), for clients to show in their own format. */
  at: z.string().optional(),
});
export type AccessStep = z.infer<typeof accessStepSchema>;

export const explainQuerySchema = z.object({
  /** Account id or username. */
  account: z.string().trim().min(1, 'Required').max(64),
  channel: slugSchema,
  ip: z.string().trim().min(1, 'Required').max(64).refine((text) => parseIpAddress(text) !== null, 'Not an IP address'),
});

export const explanationSchema = z.object({
  allow: z.boolean(),
  reason: refusalReasonSchema.nullable(),
  rule: allowRuleSchema.nullable(),
  account: z.object({ id: z.number().int(), username: z.string() }).nullable(),
  channel: z.string(),
  ip: z.string(),
  /** Every check in the order the decision runs them; the first `fail` decides. */
  steps: z.array(accessStepSchema),
});
export type Explanation = z.infer<typeof explanationSchema>;

// ---- Access log ----

export const accessResultSchema = z.enum(['allow', 'deny']);

export const accessLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  result: accessResultSchema,
  /** Refusal reason (deny) — null for allowed decisions. */
  reason: z.string().nullable(),
  /** Which rule allowed (allow) — null for refusals. */
  rule: z.string().nullable(),
  accountId: z.number().int().nullable(),
  username: z.string().nullable(),
  channelId: z.string().nullable(),
  ip: z.string(),
  /** Which door: `astra`, `nginx`, `flussonic`, `playlist`, ... */
  source: z.string(),
  sessionId: z.number().int().nullable(),
  /** Identical decisions within the minute starting at `at` share one row. */
  count: z.number().int(),
});
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>;

export const accessLogQuerySchema = pageQuerySchema.extend({
  /** An account's username (any letter case) or, when no username matches, its numeric id. */
  account: z.string().trim().min(1).max(64).optional(),
  channel: slugSchema.optional(),
  ip: z.string().trim().min(1).max(64).optional(),
  result: accessResultSchema.optional(),
  reason: refusalReasonSchema.optional(),
  from: isoDateTimeSchema.optional(),
  to: isoDateTimeSchema.optional(),
});
export type AccessLogQuery = z.input<typeof accessLogQuerySchema>;

// ---- Dashboard ----

export const dashboardSummarySchema = z.object({
  generatedAt: z.string(),
  /** Active viewing sessions now. */
  viewersNow: z.number().int(),
  /** Distinct accounts watching now. */
  accountsWatching: z.number().int(),
  /** The last 24 hours, oldest first, one entry per hour (start of the hour). */
  hourly: z.array(z.object({ hour: z.string(), authorizations: z.number().int(), refusals: z.number().int() })),
  /** Refusals of the last 24 h by reason. */
  refusalsByReason: z.record(z.string(), z.number().int()),
  /** Channels with the most viewers now (then most authorizations in 24 h). */
  topChannels: z.array(
    z.object({ channelId: z.string(), name: z.string(), viewers: z.number().int(), authorizations24h: z.number().int() }),
  ),
  /** Open sharing flags (not resolved). */
  openSharingFlags: z.number().int(),
});
export type DashboardSummary = z.infer<typeof dashboardSummarySchema>;

// ---- Sharing detection and suspensions ----

export const sharingEvidenceSchema = z.object({
  /** The address, or the network when counting networks. */
  address: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  channels: z.array(z.string()),
});

export const sharingFlagSchema = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  username: z.string().nullable(),
  detectedAt: z.string(),
  windowMinutes: z.number().int(),
  addressCount: z.number().int(),
  evidence: z.array(sharingEvidenceSchema),
  suspended: z.boolean(),
  resolvedAt: z.string().nullable(),
});
export type SharingFlag = z.infer<typeof sharingFlagSchema>;

export const sharingFlagQuerySchema = pageQuerySchema.extend({
  account: z.coerce.number().int().positive().optional(),
  open: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
});

export const suspensionSchema = z.object({
  accountId: z.number().int(),
  username: z.string().nullable(),
  since: z.string(),
  reason: z.string(),
  flagId: z.number().int().nullable(),
});
export type Suspension = z.infer<typeof suspensionSchema>;

export const accountIdParamSchema = z.object({ accountId: z.coerce.number().int().positive('Must be a positive id') });

// ---- Client listener ----

export const serverTimeSchema = z.object({
  /** ISO 8601. */
  time: z.string(),
  /** Unix seconds. */
  unix: z.number().int(),
  /** Unix milliseconds. */
  ms: z.number().int(),
});
