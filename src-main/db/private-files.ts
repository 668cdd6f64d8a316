import { chmodSync, closeSync, existsSync, fchmodSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';

/** Owner read/write only, whatever the umask and the folder's mode. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Writes a new file that only the owner can read: an old file of that name is removed first and
 * the new one created exclusively (never through a planted symlink), its mode set with fchmod
 * before any byte is written, then synced.
 */
export function writePrivateFileSync(file: string, data: string | Buffer): void {
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes each file that exists owner-only, and creates the first one (empty) if it does not —
 * for SQLite, which creates its database with 0644 minus the umask and gives the `-wal` and
 * `-shm` files the database file's mode.
 */
export function ensurePrivateFiles(first: string, ...others: string[]): void {
  if (!existsSync(first)) closeSync(openSync(first, 'wx', PRIVATE_FILE_MODE));
  for (const file of [first, ...others]) {
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  }
}
