import { z } from 'zod';
import { ipRangeListSchema } from './common';

/** An absolute http(s) URL (streaming server base, promo redirect). */
export const httpUrlSchema = z
  .string()
  .trim()
  .max(2048, 'At most 2048 characters')
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/, 'An http:// or https:// URL');

export const overLimitPolicies = ['refuse-newest', 'end-oldest', 'handover'] as const;
export const overLimitPolicySchema = z.enum(overLimitPolicies);
export type OverLimitPolicy = z.infer<typeof overLimitPolicySchema>;

const seconds = (min: number, max: number, def: number) => z.number().int('Whole number').min(min).max(max).default(def);

/** Settings of streaming access control (issue #3): who may ask, sessions, limits, signed URLs, sharing. */
export const accessSettingsShape = {
  /** Addresses/networks of the streaming servers allowed to call the auth backends. */
  streamingServers: ipRangeListSchema.default(['127.0.0.1/32', '::1/128']),
  /** Reverse proxies in front of the client listener; only then is X-Forwarded-For read (right to left). */
  trustedProxies: ipRangeListSchema.default([]),
  /** A viewing session not seen for this long ends by itself and frees its slot. */
  sessionIdleSeconds: seconds(10, 86_400, 90),
  /** What happens when an account is at its connection limit and a new session starts. */
  overLimitPolicy: overLimitPolicySchema.default('handover'),
  /** Hand-over window: a session of the same viewer, or one silent this long, gives way to the new one. */
  handoverSeconds: seconds(0, 600, 20),
  /** A session ended by an operator or by the over-limit policy stays refused this long. */
  endedSessionBanSeconds: seconds(0, 86_400, 300),
  /** How long a verified login:password is remembered (as a keyed MAC, never the password). */
  passwordCacheSeconds: seconds(0, 3600, 120),
  /** Wrong credentials from one viewer address (or for one username) before it is refused for a while. */
  viewerAuthMaxFailures: z.number().int().min(1).max(10_000).default(10),
  viewerAuthFailureWindowMinutes: z.number().int().min(1).max(1440).default(5),
  /** Refusals of an unauthenticated viewer address (IPv6: its /64) per minute before it is answered 429 without any check. */
  viewerRefusalsPerMinute: z.number().int().min(1).max(1_000_000).default(120),
  /** Lifetime of a signed stream URL (Astra/Flussonic securetoken, nginx secure_link). */
  signedUrlTtlSeconds: seconds(60, 7 * 86_400, 10_800),
  /** Start time of a securetoken is backdated by this much for servers with skewed clocks. */
  signedUrlSkewSeconds: seconds(0, 3600, 300),
  /** After a signing secret is rotated, the previous one is still accepted this long. */
  signingSecretGraceMinutes: z.number().int().min(0).max(10_080).default(180),
  /** Base URL of the streaming server for channels without their own, e.g. `http://tv.example:8000`. */
  defaultStreamBaseUrl: httpUrlSchema.nullable().default(null),
  /** Astra `X-Location` sent with refusals (a promo channel), when set. */
  denyRedirectUrl: httpUrlSchema.nullable().default(null),
  /** `X-AuthDuration` for Flussonic (capped at half the idle timeout so sessions stay alive). */
  flussonicAuthDurationSeconds: seconds(10, 86_400, 60),
  /** Sharing detection: more distinct addresses than this within the window flags the account (0 = off). */
  sharingMaxAddresses: z.number().int().min(0).max(1000).default(4),
  sharingWindowMinutes: z.number().int().min(1).max(1440).default(30),
  /** Count networks (/24 IPv4, /64 IPv6) instead of single addresses. */
  sharingByNetwork: z.boolean().default(true),
  /** Suspend a flagged account (its viewers are refused with `suspended` until an operator lifts it). */
  sharingSuspend: z.boolean().default(false),
  accessLogRetentionDays: z.number().int().min(1).max(3650).default(30),
  /** The access log keeps at most this many rows (oldest go first), whatever their age. */
  accessLogMaxRows: z.number().int().min(1000).max(100_000_000).default(2_000_000),
  sessionHistoryDays: z.number().int().min(1).max(3650).default(90),
};

/** Write-only signing secrets: Astra/Flussonic securetoken and nginx secure_link. */
export const accessSecretNames = ['securetokenSecret', 'secureLinkSecret'] as const;
