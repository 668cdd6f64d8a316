import { z } from 'zod';

/** `GET /api/admin/status`: what the dashboard shows about the running CAS. */
export const serverStatusSchema = z.object({
  version: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  adminUrl: z.string().nullable(),
  apiUrl: z.string().nullable(),
  dataDir: z.string(),
  databaseBytes: z.number(),
  counts: z.object({ accounts: z.number(), channels: z.number(), packages: z.number() }),
});
export type ServerStatus = z.infer<typeof serverStatusSchema>;
