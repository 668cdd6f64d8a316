import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openStore } from '../app/cas';
import type { Db } from '../db/connection';
import { DataDirLock, DataDirLockedError, type LockHolder } from '../db/data-dir-lock';
import type { MasterKeyProvider } from '../crypto/master-key';
import type { CasContext } from '../kernel/context';
import { silentLogger } from '../kernel/logger';

/**
 * Runs `work` on the data folder's store with the folder's lock held, as a CAS would: a command
 * that writes (admin create, rekey, an offline import) never shares the folder with a running CAS.
 * A held lock goes to `whenLocked` (a command that can ask the running CAS instead), or is
 * refused with exit code 2 and a message naming the running CAS.
 */
export async function withLockedStore<T>(
  dataDir: string,
  work: (store: { ctx: CasContext; db: Db }) => Promise<T>,
  options: { masterKeyProvider?: MasterKeyProvider; whenLocked?: (holder: LockHolder) => Promise<T> } = {},
): Promise<T> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let lock: DataDirLock;
  try {
    lock = DataDirLock.acquire(dir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    if (options.whenLocked && error.holder?.adminUrl) return options.whenLocked(error.holder);
    console.error(error.message);
    process.exit(2);
  }
  try {
    const store = await openStore(dir, { logger: silentLogger(), masterKeyProvider: options.masterKeyProvider });
    try {
      return await work(store);
    } finally {
      store.db.close();
    }
  } finally {
    lock.release();
  }
}
