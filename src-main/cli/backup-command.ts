import type { Command } from 'commander';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase } from '../db/connection';
import { DataDirLock, DataDirLockedError, type LockHolder } from '../db/data-dir-lock';
import { LOCAL_CONTROL_HEADER } from '../http/local-control';
import { defaultMasterKeyProvider } from '../crypto/master-key';
import { writeBackup } from '../backups/online-backup';
import { restoreDatabase } from '../backups/restore';
import { backupInfoSchema } from '../../src-shared/schemas/backups';

/** Asks the running CAS for an online backup over its admin API and downloads it to `out`. */
async function backupThroughRunningCas(holder: LockHolder, out: string): Promise<string> {
  const headers = { [LOCAL_CONTROL_HEADER]: holder.controlToken ?? '' };
  const made = await fetch(`${holder.adminUrl}/api/admin/backups`, { method: 'POST', headers });
  if (made.status !== 201) throw new Error(`The running CAS refused the backup: ${made.status} ${await made.text()}`);
  const info = backupInfoSchema.parse(await made.json());
  const download = await fetch(`${holder.adminUrl}/api/admin/backups/${info.name}`, { headers });
  if (download.status !== 200) throw new Error(`Downloading ${info.name} failed: ${download.status}`);
  const partial = `${out}.partial`;
  writeFileSync(partial, Buffer.from(await download.arrayBuffer()), { mode: 0o600, flag: 'wx' });
  renameSync(partial, out);
  return `by the running CAS (process ${holder.pid}), key check value ${info.keyCheckValue ?? 'none'}`;
}

async function backupStoppedFolder(dataDir: string, lock: DataDirLock, out: string): Promise<string> {
  try {
    const databaseFile = join(dataDir, 'cas.db');
    if (!existsSync(databaseFile)) throw new Error(`No database in ${dataDir}`);
    const db = openDatabase(databaseFile);
    try {
      const facts = await writeBackup(db, out);
      return `key check value ${facts.keyCheckValue ?? 'none'}`;
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('Back up the database online (through the running CAS if one serves this folder), verified with integrity_check')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .requiredOption('--out <file>', 'the backup file to write (must not exist)')
    .action(async (options: { dataDir: string; out: string }) => {
      const dataDir = resolve(options.dataDir);
      const out = resolve(options.out);
      if (existsSync(out)) {
        console.error(`${out} exists already; choose a new file`);
        process.exit(2);
      }
      let how: string;
      try {
        how = await backupStoppedFolder(dataDir, DataDirLock.acquire(dataDir), out);
      } catch (error) {
        if (!(error instanceof DataDirLockedError) || !error.holder?.adminUrl) throw error;
        how = await backupThroughRunningCas(error.holder, out).catch((failure: unknown) => {
          rmSync(`${out}.partial`, { force: true });
          throw failure;
        });
      }
      console.log(`Backup written and verified: ${out} (${how})`);
    });

  program
    .command('restore')
    .description('Replace the database by a backup (stop the CAS first); the current one is kept as cas.db.before-restore-<time>')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .requiredOption('--from <file>', 'the backup file to restore')
    .action(async (options: { dataDir: string; from: string }) => {
      const dataDir = resolve(options.dataDir);
      let lock: DataDirLock;
      try {
        lock = DataDirLock.acquire(dataDir);
      } catch (error) {
        if (!(error instanceof DataDirLockedError)) throw error;
        console.error(`${error.message}. Restore from the dashboard instead, or stop it and run this again`);
        process.exit(2);
      }
      try {
        const provider = defaultMasterKeyProvider(dataDir);
        const masterKey = await provider.load({ mayCreate: false });
        try {
          const restored = restoreDatabase(dataDir, resolve(options.from), masterKey, provider.description, Date.now());
          console.log(
            `Restored ${options.from} (schema ${restored.schemaVersion}, key check value ${restored.keyCheckValue ?? 'none'})` +
              (restored.previous ? `; the previous database is kept as ${restored.previous}` : ''),
          );
        } finally {
          masterKey.fill(0);
        }
      } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 2;
      } finally {
        lock.release();
      }
    });
}
