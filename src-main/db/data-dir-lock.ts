import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateFiles, writePrivateFileSync } from './private-files';

/** Who holds a data folder, as written beside the lock for the next process to name it. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  adminUrl: string | null;
  apiUrl: string | null;
  /** Lets local `cas-studio` commands call the admin API (see http/local-control.ts). */
  controlToken?: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    const who = holder
      ? `process ${holder.pid} on ${holder.host}, started ${holder.startedAt}${holder.adminUrl ? `, admin ${holder.adminUrl}` : ''}${holder.apiUrl ? `, client API ${holder.apiUrl}` : ''}`
      : 'another process';
    super(`The data folder ${dataDir} is in use by ${who}; stop it first (one CAS per data folder)`);
  }
}

export const LOCK_FILE = 'cas.lock';
export const LOCK_HOLDER_FILE = 'cas.lock.json';

/** Reads who holds the lock, or null when nobody wrote it (or it is unreadable). */
export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(join(dataDir, LOCK_HOLDER_FILE), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/**
 * The data folder's OS lock, held for the life of the process: an exclusive transaction on a
 * small SQLite file. SQLite takes it with fcntl locks, which the OS releases when the process
 * dies however it dies (SIGKILL included), and which a second connection in the same process
 * also respects. Nothing is ever written to that file.
 */
export class DataDirLock {
  private constructor(
    private readonly dataDir: string,
    private readonly lockDb: Database.Database,
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock or throws DataDirLockedError naming the holder. Never waits. */
  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, LOCK_FILE);
    ensurePrivateFiles(file);
    const lockDb = new Database(file, { timeout: 0 });
    try {
      lockDb.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      lockDb.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirLockedError(dataDir, readLockHolder(dataDir));
      throw error;
    }
    const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), adminUrl: null, apiUrl: null };
    const lock = new DataDirLock(dataDir, lockDb, holder);
    lock.#writeHolder();
    return lock;
  }

  /** Records the listener addresses once bound, so a refused second process can point to them. */
  announce(urls: { adminUrl: string | null; apiUrl: string | null; controlToken?: string }): void {
    Object.assign(this.holder, urls);
    this.#writeHolder();
  }

  release(): void {
    if (!this.lockDb.open) return;
    this.lockDb.exec('ROLLBACK');
    this.lockDb.close();
  }

  #writeHolder(): void {
    writePrivateFileSync(join(this.dataDir, LOCK_HOLDER_FILE), `${JSON.stringify(this.holder)}\n`);
  }
}
