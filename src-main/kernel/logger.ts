import pino from 'pino';

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
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const base: pino.LoggerOptions = {
    level: options.level ?? process.env.CAS_LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { app: 'cas-studio' },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino(base);
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
