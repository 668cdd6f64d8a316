import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger, openLogFile } from '../../src-main/kernel/logger';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cas-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logs = () => join(dir, 'logs');
/** The log files, oldest first (pino-roll numbers them upwards: the highest is the current one). */
const logFiles = () =>
  readdirSync(logs())
    .filter((name) => /^cas\.\d+\.log$/.test(name))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
const linesOf = (name: string) =>
  readFileSync(join(logs(), name), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { i: number });

/** Logs `count` lines, one per event-loop turn as a server does (pino-roll rotates between writes). */
async function logLines(logger: ReturnType<typeof createLogger>, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    logger.info({ i, filler: 'x'.repeat(80) }, 'line');
    await new Promise((r) => setImmediate(r));
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the server log file', () => {
  it('is rotated at its size cap, keeps only the newest files, owner-only, with every line whole and in order', async () => {
    const file = await openLogFile(join(logs(), 'cas.log'), { size: '1000b', keep: 3 });
    await logLines(createLogger({ destination: file }), 0, 100);
    await waitFor(() => logFiles().length === 3);
    const names = logFiles();
    expect(Number(names[0].split('.')[1])).toBeGreaterThan(3);
    for (const name of names) {
      const { size, mode } = statSync(join(logs(), name));
      // Rotated once it reaches the cap: at most one line beyond it.
      expect(size).toBeLessThan(1000 + 200);
      expect(mode & 0o077).toBe(0);
    }
    expect(statSync(logs()).mode & 0o077).toBe(0);
    const [older, previous, current] = names.map(linesOf);
    expect(current.at(-1)!.i).toBe(99);
    expect(previous.at(-1)!.i).toBe(current[0].i - 1);
    expect(older.at(-1)!.i).toBe(previous[0].i - 1);
    file.end();
  });

  it('continues the current file after a restart, and counts the files of earlier runs in the cap', async () => {
    const first = await openLogFile(join(logs(), 'cas.log'), { size: '1000b', keep: 2 });
    await logLines(createLogger({ destination: first }), 0, 20);
    first.end();
    await waitFor(() => logFiles().length === 2);
    const before = logFiles();
    const second = await openLogFile(join(logs(), 'cas.log'), { size: '1000b', keep: 2 });
    await logLines(createLogger({ destination: second }), 20, 1);
    // Appended to the file the first run was writing, after its lines.
    expect(linesOf(before[1]).map((line) => line.i).slice(-2)).toEqual([19, 20]);
    await logLines(createLogger({ destination: second }), 21, 20);
    await waitFor(() => logFiles().length === 2 && !logFiles().includes(before[0]));
    second.end();
  });

  it('never throws into the code that logged when a write fails (a full disk), and says so once', async () => {
    // The file the log continues is /dev/full: every write fails with ENOSPC, as on a full disk.
    rmSync(logs(), { recursive: true, force: true });
    const file = await openLogFile(join(logs(), 'cas.log'));
    file.end();
    await waitFor(() => logFiles().length === 1);
    rmSync(join(logs(), 'cas.1.log'));
    symlinkSync('/dev/full', join(logs(), 'cas.1.log'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const full = await openLogFile(join(logs(), 'cas.log'));
      const logger = createLogger({ destination: full });
      for (let i = 0; i < 3; i++) expect(() => logger.info({ i }, 'lost to a full disk')).not.toThrow();
      expect(stderr.mock.calls.filter(([text]) => String(text).includes('ENOSPC'))).toHaveLength(1);
    } finally {
      stderr.mockRestore();
    }
  });

  it('receives the JSON lines of the logger, redacted like stdout', async () => {
    const logger = createLogger({ file: await openLogFile(join(logs(), 'cas.log')), level: 'info' });
    logger.info({ password: 'hunter2', user: 'op' }, 'hello');
    const line = JSON.parse(readFileSync(join(logs(), 'cas.1.log'), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', user: 'op', password: '[redacted]' });
  });
});
