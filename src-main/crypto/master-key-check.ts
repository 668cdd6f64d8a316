import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connection';
import { anySealedValue, tableExists, verifySealed } from './sealed-columns';
import { Vault } from './vault';

/**
 * Names a master key without revealing it: the first 8 bytes of HMAC-SHA256(key, "kcv"), in hex.
 * Backups and the database carry it so the right key can be told from a wrong one.
 */
export function keyCheckValue(masterKey: Buffer): string {
  return createHmac('sha256', masterKey).update('kcv').digest().subarray(0, 8).toString('hex');
}

export class MasterKeyMismatchError extends Error {
  constructor(where: string, detail: string) {
    super(`The master key (${where}) is not the key of this database: ${detail}. Start with the master key this database was sealed under; nothing was changed`);
  }
}

/** The key check value this database records, or null (new database, or before migration 430). */
export function recordedKeyCheckValue(db: Db): string | null {
  if (!tableExists(db, 'master_key_check')) return null;
  const row = db.prepare('SELECT kcv FROM master_key_check WHERE id = 1').get() as { kcv: string } | undefined;
  return row?.kcv ?? null;
}

/** Whether any value in the database is sealed under a master key (so a new key would not do). */
export function holdsSealedData(db: Db): boolean {
  return recordedKeyCheckValue(db) !== null || anySealedValue(db);
}

function sameKcv(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Refuses a master key that is not this database's, reading only: against the recorded key
 * check value, or, where none is recorded yet (a database from before it was), by opening its
 * sealed values.
 */
export function assertMasterKeyFits(db: Db, masterKey: Buffer, where: string): void {
  const recorded = recordedKeyCheckValue(db);
  const actual = keyCheckValue(masterKey);
  if (recorded !== null) {
    if (!sameKcv(recorded, actual)) throw new MasterKeyMismatchError(where, `the database needs key check value ${recorded}, this key's is ${actual}`);
    return;
  }
  const failure = verifySealed(db, new Vault(masterKey));
  if (failure) throw new MasterKeyMismatchError(where, `its sealed values do not open (${failure})`);
}

/** Records the key check value once the database holds the table (after migrations). */
export function recordKeyCheckValue(db: Db, masterKey: Buffer, now: number): void {
  db.prepare('INSERT OR IGNORE INTO master_key_check (id, kcv, recorded_at) VALUES (1, ?, ?)').run(keyCheckValue(masterKey), now);
}

/** Sets the key check value of a new master key, in the re-keying transaction. */
export function replaceKeyCheckValue(db: Db, masterKey: Buffer, now: number): void {
  db.prepare('INSERT OR REPLACE INTO master_key_check (id, kcv, recorded_at) VALUES (1, ?, ?)').run(keyCheckValue(masterKey), now);
}
