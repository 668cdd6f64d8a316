import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas } from '../helpers/test-cas';
import { keyCheckValue } from '../../src-main/crypto/master-key-check';

let dataDir: string;
let rightKey: string;
const dbFile = () => join(dataDir, 'cas.db');
const keyFile = () => join(dataDir, 'master.key');
const digest = () => createHash('sha256').update(readFileSync(dbFile())).digest('hex');

function writeKey(text: string, mode = 0o600): void {
  rmSync(keyFile(), { force: true });
  writeFileSync(keyFile(), text, { mode });
  chmodSync(keyFile(), mode);
}

/** Starting with the current key file is refused with `message`, and cas.db is byte-for-byte as before. */
async function expectRefused(message: RegExp): Promise<void> {
  const before = digest();
  await expect(startTestCas({ dataDir })).rejects.toThrow(message);
  expect(digest()).toBe(before);
  expect(existsSync(`${dbFile()}-wal`) ? readFileSync(`${dbFile()}-wal`).length : 0).toBe(0);
}

beforeAll(async () => {
  const cas = await startTestCas();
  dataDir = cas.dataDir;
  expect((await cas.admin.post('/api/admin/accounts', { username: 'sealed-token-holder' })).status).toBe(201);
  await cas.stop();
  rightKey = readFileSync(keyFile(), 'utf8');
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the master key must be the database’s', () => {
  it('the database records the key check value of its key, never the key', () => {
    const db = new Database(dbFile(), { readonly: true });
    const row = db.prepare('SELECT kcv FROM master_key_check').get() as { kcv: string };
    db.close();
    expect(row.kcv).toBe(keyCheckValue(Buffer.from(rightKey.trim(), 'hex')));
    expect(readFileSync(dbFile()).includes(Buffer.from(rightKey.trim(), 'hex'))).toBe(false);
  });

  it('a missing key file is an error, and no new key is created', async () => {
    rmSync(keyFile());
    await expectRefused(/master key \(file .*master\.key\) is missing, but the database holds data sealed under it/);
    expect(existsSync(keyFile())).toBe(false);
  });

  it('a wrong key is refused naming both key check values', async () => {
    const wrong = randomBytes(32);
    writeKey(`${wrong.toString('hex')}\n`);
    await expectRefused(new RegExp(`not the key of this database: the database needs key check value [0-9a-f]{16}, this key's is ${keyCheckValue(wrong)}`));
  });

  it('a malformed key file is refused', async () => {
    writeKey('not a key\n');
    await expectRefused(/must hold 64 hex characters/);
  });

  it('a key file readable by group or others is refused with the chmod fix, as ssh does', async () => {
    writeKey(rightKey, 0o644);
    await expectRefused(/readable by group or others \(mode 0644\); make it private: chmod 600 .*master\.key/);
    writeKey(rightKey, 0o640);
    await expectRefused(/chmod 600/);
  });

  it('a database recorded before key check values existed is checked by opening its sealed values', async () => {
    writeKey(rightKey);
    const db = new Database(dbFile());
    db.prepare('DELETE FROM master_key_check').run();
    db.close();
    writeKey(`${randomBytes(32).toString('hex')}\n`);
    await expectRefused(/not the key of this database: its sealed values do not open/);
  });

  it('the right key starts the CAS, which then records its key check value again', async () => {
    writeKey(rightKey);
    const cas = await startTestCas({ dataDir });
    const accounts = (await cas.admin.get('/api/admin/accounts')).body.items as Array<{ username: string }>;
    expect(accounts.map((a) => a.username)).toContain('sealed-token-holder');
    await cas.stop();
    const db = new Database(dbFile(), { readonly: true });
    expect((db.prepare('SELECT kcv FROM master_key_check').get() as { kcv: string }).kcv).toBe(keyCheckValue(Buffer.from(rightKey.trim(), 'hex')));
    db.close();
  });
});
