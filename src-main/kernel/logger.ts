import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';
import pinoPretty from 'pino-pretty';
import pinoRoll from 'pino-roll';

export type Logger = pino.Logger;

/**
 * Paths of values that must never reach a log line. Request logging strips query credentials
 * itself (see logging/redact-url.ts); these catch anything logged as an object.
 */
const redactPaths = [
  'password',
  '*.password',
  'token',
  '*.token',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

interface LoggerOptions {
  level?: string;
  /** Human-readable output for a terminal instead of JSON lines. */
  pretty?: boolean;
  /** Where JSON lines go (defaults to stdout). */
  destination?: pino.DestinationStream;
  /** Also writes JSON lines here (the data folder's rotated log, see `openLogFile`). */
  file?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? process.env.CAS_LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { app: 'cas-studio' },
  };
  if (options.destination) return pino(base, options.destination);
  const terminal: pino.DestinationStream = options.pretty ? pinoPretty({ colorize: true, translateTime: 'SYS:standard' }) : pino.destination(1);
  if (!options.file) return pino(base, terminal);
  // Every line the logger's level lets through goes to both.
  return pino(base, pino.multistream([
    { level: 'trace', stream: terminal },
    { level: 'trace', stream: options.file },
  ]));
}

export interface LogFileOptions {
  /** A new file once the current one reaches this size (pino-roll's notation: `'10m'`, `'500k'`, `'1000b'`). */
  size?: string;
  /** Rotated files kept beside the current one; older ones are deleted, those of earlier runs too. */
  keep?: number;
}

/** Lines held in memory while the file cannot be written; beyond that they are dropped. */
const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * The server log file, size-capped and rotated by pino-roll: `logs/cas.log` is written as
 * `logs/cas.1.log`, `cas.2.log`, … (the highest number is the current file), owner-only (folder
 * 0700, files 0600). A write that fails (a full disk) never throws into the code that logged:
 * sonic-boom keeps up to 1 MB of lines and writes them with the next line once it can, and the
 * failure is reported once on stderr.
 */
export async function openLogFile(path: string, options: LogFileOptions = {}): Promise<ReturnType<typeof pino.destination>> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const file = await pinoRoll({
    file: path,
    size: options.size ?? '10m',
    limit: { count: options.keep ?? 5, removeOtherLogFiles: true },
    mode: 0o600,
    sync: true,
    maxLength: MAX_PENDING_BYTES,
  });
  let failing = false;
  file.on('error', (error: Error) => {
    if (!failing) process.stderr.write(`cas-studio: cannot write the log file beside ${path} (${error.message}); retrying with the next line\n`);
    failing = true;
  });
  file.on('write', () => (failing = false));
  return file;
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
