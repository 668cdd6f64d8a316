import { z } from 'zod';

/** The names the server log's rotation writes (`cas.1.log`, `cas.2.log`, …) and nothing else. */
export const logFileNameSchema = z.string().regex(/^cas\.[1-9]\d{0,8}\.log$/, 'A log file name such as cas.1.log');

export const logFileSchema = z.object({
  name: z.string(),
  bytes: z.number().int(),
  modifiedAt: z.string(),
});
export type LogFile = z.infer<typeof logFileSchema>;

/** Newest first: the first file is the one being written. */
export const logFileListSchema = z.object({ files: z.array(logFileSchema) });
export type LogFileList = z.infer<typeof logFileListSchema>;

export const logLevelNames = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export const logLevelSchema = z.enum(logLevelNames);
export type LogLevelName = z.infer<typeof logLevelSchema>;

/** Most lines one tail answers. */
export const LOG_TAIL_MAX_LINES = 1000;

export const logTailQuerySchema = z.object({
  /** The file to read (from the listing); the newest when omitted. */
  file: logFileNameSchema.optional(),
  lines: z.coerce.number().int().min(1, 'At least 1').max(LOG_TAIL_MAX_LINES, `At most ${LOG_TAIL_MAX_LINES}`).default(200),
  /** Only lines at this level or above. */
  level: logLevelSchema.optional(),
});

/** One line of the log as the dashboard shows it; a line that is not pino JSON keeps its text in `msg`. */
export const logLineSchema = z.object({
  time: z.string().nullable(),
  level: logLevelSchema.nullable(),
  msg: z.string(),
  /** The line's other fields (request, error, ids), as logged: credentials are redacted before writing. */
  fields: z.record(z.string(), z.unknown()),
});
export type LogLine = z.infer<typeof logLineSchema>;

export const logTailSchema = z.object({ file: z.string().nullable(), lines: z.array(logLineSchema) });
export type LogTail = z.infer<typeof logTailSchema>;
