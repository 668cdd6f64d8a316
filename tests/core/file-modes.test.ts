import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/app/cas';
import { silentLogger } from '../../src-main/kernel/logger';

let dir: string;
let umask: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cas-modes-'));
  chmodSync(dir, 0o777);
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

describe('files holding secrets', () => {
  it('are created 0600 under umask 000 in a 0777 folder: cas.db, its WAL and shared memory, master.key', async () => {
    const { db } = await openStore(dir, { logger: silentLogger() });
    try {
      db.exec('CREATE TABLE IF NOT EXISTS mode_probe (x); INSERT INTO mode_probe VALUES (1)');
      for (const name of ['cas.db', 'cas.db-wal', 'cas.db-shm', 'master.key']) {
        const file = join(dir, name);
        expect(existsSync(file), name).toBe(true);
        expect(modeOf(file), name).toBe(0o600);
      }
    } finally {
      db.close();
    }
  });

  // A master.key readable by others is refused instead (tests/operations/master-key-check.test.ts).
  it('are made 0600 again when an earlier version left the database readable by others', async () => {
    const first = await openStore(dir, { logger: silentLogger() });
    first.db.close();
    chmodSync(join(dir, 'cas.db'), 0o644);
    writeFileSync(join(dir, 'cas.db-wal'), '', { mode: 0o666 });
    const { db } = await openStore(dir, { logger: silentLogger() });
    try {
      for (const name of ['cas.db', 'cas.db-wal']) expect(modeOf(join(dir, name)), name).toBe(0o600);
    } finally {
      db.close();
    }
  });
});
