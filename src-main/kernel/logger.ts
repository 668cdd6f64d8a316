import pino from 'pino';
import pinoPretty from 'pino-pretty';
import { RotatingFile, type RotatingFileOptions } from './rotating-file';

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

export interface LoggerOptions {
  level?: string;
  /** Human-readable output for a terminal instead of JSON lines. */
  pretty?: boolean;
  /** Where JSON lines go (defaults to stdout). */
  destination?: pino.DestinationStream;
  /** Also writes JSON lines to this size-capped, rotated file (the data folder's `logs/cas.log`). */
  file?: RotatingFileOptions & { path: string };
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
  const file = new RotatingFile(options.file.path, options.file);
  // Every line the logger's level lets through goes to both.
  return pino(base, pino.multistream([
    { level: 'trace', stream: terminal },
    { level: 'trace', stream: file },
  ]));
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
