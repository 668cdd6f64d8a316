import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { Db } from '../db/connection';
import { writePrivateFileSync } from '../db/private-files';
import { FileMasterKeyProvider, generateMasterKey, type MasterKeyProvider } from './master-key';
import { resealInTransaction, verifySealed, type ResealReport } from './sealed-columns';
import { Vault } from './vault';
import { replaceKeyCheckValue } from './master-key-check';

class RekeyError extends Error {}

/**
 * Re-encrypts every sealed column (see sealed-columns.ts) under a fresh master key and stores
 * that key through the provider. The database changes in ONE transaction that commits only after
 * the provider stored the new key; if anything fails before, the transaction rolls back and the
 * old key stays. For a key file, the old key is kept as `<file>.previous` until the commit, so a
 * crash between storing the key and committing can be recovered from. The CAS must be stopped.
 */
export async function rekeyDatabase(db: Db, oldVault: Vault, provider: MasterKeyProvider): Promise<ResealReport> {
  const broken = verifySealed(db, oldVault);
  if (broken) throw new RekeyError(`A value in ${broken} does not open under the current master key; nothing was changed`);
  const newKey = generateMasterKey();
  const newVault = new Vault(newKey);
  const backup = provider instanceof FileMasterKeyProvider && existsSync(provider.file) ? `${provider.file}.previous` : null;
  db.exec('BEGIN IMMEDIATE');
  let committed = false;
  try {
    const report = resealInTransaction(db, oldVault, newVault);
    const check = verifySealed(db, newVault);
    if (check) throw new RekeyError(`Re-sealed value in ${check} does not open under the new key; nothing was changed`);
    replaceKeyCheckValue(db, newKey, Date.now());
    if (backup) {
      writePrivateFileSync(backup, readFileSync((provider as FileMasterKeyProvider).file));
    }
    await provider.store(newKey);
    db.exec('COMMIT');
    committed = true;
    return report;
  } finally {
    if (!committed) {
      db.exec('ROLLBACK');
      if (backup) rmSync(backup, { force: true });
    } else if (backup) {
      rmSync(backup, { force: true });
    }
    newKey.fill(0);
  }
}
