import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../../src-shared/errors';
import { logFileNameSchema, logLevelNames, type LogFile, type LogLevelName, type LogLine } from '../../src-shared/schemas/server-log';
import { isoFromMs } from './clock';

/** The data folder's log folder; pino-roll writes `cas.log` there as `cas.1.log`, `cas.2.log`, … */
export function logFolderOf(dataDir: string): string {
  return join(dataDir, 'logs');
}

/** The path `openLogFile` (logger.ts) is given for a data folder. */
export function logFileBaseOf(dataDir: string): string {
  return join(logFolderOf(dataDir), 'cas.log');
}

/** How far from its end a tail reads: the last lines of a 10 MB file without reading all of it. */
const TAIL_WINDOW_BYTES = 2 * 1024 * 1024;

const PINO_LEVELS: Record<number, LogLevelName> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Fields every line carries that a reader does not need again. */
const BOOKKEEPING = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'app']);

const numberOf = (name: string) => Number(name.split('.')[1]);

/**
 * The log files in `folder`, newest first: only regular files named as the rotation names them
 * (a symbolic link, a folder or any other name is not a log file, whatever it points to).
 */
export function listLogFiles(folder: string): LogFile[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && logFileNameSchema.safeParse(entry.name).success)
    .map((entry) => {
      const stat = statSync(join(folder, entry.name));
      return { name: entry.name, bytes: stat.size, modifiedAt: isoFromMs(stat.mtimeMs) };
    })
    .sort((a, b) => numberOf(b.name) - numberOf(a.name));
}

/**
 * Opens one log file of the listing for reading, by name: the name must be one the listing
 * shows, and the file is opened without following a symbolic link (one swapped in after the
 * listing is refused too). The caller closes the descriptor.
 */
export function openLogForReading(folder: string, name: string): { fd: number; bytes: number } {
  if (!listLogFiles(folder).some((file) => file.name === name)) throw new NotFoundError('log_file_not_found', { name }, `Log file "${name}" not found`);
  let fd: number;
  try {
    fd = openSync(join(folder, name), constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch {
    throw new NotFoundError('log_file_not_found', { name }, `Log file "${name}" not found`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new NotFoundError('log_file_not_found', { name }, `Log file "${name}" not found`);
  }
  return { fd, bytes: stat.size };
}

/** One line of the file as the dashboard shows it: pino's JSON read, anything else kept as text. */
export function parseLogLine(text: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      const fields = Object.fromEntries(Object.entries(record).filter(([key]) => !BOOKKEEPING.has(key)));
      return {
        time: typeof record.time === 'number' ? isoFromMs(record.time) : null,
        level: typeof record.level === 'number' ? (PINO_LEVELS[record.level] ?? null) : null,
        msg: typeof record.msg === 'string' ? record.msg : '',
        fields,
      };
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return { time: null, level: null, msg: text, fields: {} };
}

/** The last `count` lines of a log file at `minLevel` or above (read from its last 2 MB). */
export function tailLogFile(folder: string, name: string, count: number, minLevel?: LogLevelName): LogLine[] {
  const { fd, bytes } = openLogForReading(folder, name);
  let text: string;
  try {
    const length = Math.min(bytes, TAIL_WINDOW_BYTES);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, bytes - length);
    text = buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n');
  if (bytes > TAIL_WINDOW_BYTES) lines.shift(); // the first line of the window is cut
  const least = minLevel ? logLevelNames.indexOf(minLevel) : 0;
  return lines
    .filter((line) => line.trim() !== '')
    .map(parseLogLine)
    .filter((line) => least === 0 || (line.level !== null && logLevelNames.indexOf(line.level) >= least))
    .slice(-count);
}
