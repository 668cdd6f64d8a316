import { z } from 'zod';

/** A failing background write: the CAS still decides, but something is not being recorded. */
export const alarmSchema = z.object({
  name: z.string(),
  failures: z.number().int(),
  since: z.string(),
  lastFailureAt: z.string(),
  message: z.string(),
});
export type Alarm = z.infer<typeof alarmSchema>;

/** `GET /healthz`: `degraded` while any alarm is raised (still 200: the listener answers and decisions work). */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  time: z.string(),
  /** Names and failure counts only: the messages are for operators (`/api/admin/status`). */
  alarms: z.array(alarmSchema.omit({ message: true })),
});

/** The certificate an HTTPS listener serves: its SHA-256 fingerprint is what clients must trust. */
export const tlsSummarySchema = z.object({
  /** Colon-separated hex, as browsers and `openssl x509 -fingerprint -sha256` show it. */
  fingerprint256: z.string(),
  names: z.array(z.string()),
  validTo: z.string(),
  selfSigned: z.boolean(),
});
export type TlsSummary = z.infer<typeof tlsSummarySchema>;

/** `GET /api/admin/status`: what the dashboard shows about the running CAS. */
export const serverStatusSchema = z.object({
  version: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  adminUrl: z.string().nullable(),
  apiUrl: z.string().nullable(),
  /** The client listener's HTTPS address and certificate, when it serves HTTPS. */
  apiTlsUrl: z.string().nullable(),
  tls: tlsSummarySchema.nullable(),
  dataDir: z.string(),
  databaseBytes: z.number(),
  counts: z.object({ accounts: z.number(), channels: z.number(), packages: z.number() }),
  alarms: z.array(alarmSchema),
});
export type ServerStatus = z.infer<typeof serverStatusSchema>;
