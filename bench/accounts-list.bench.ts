/**
 * The accounts table with 1,000,000 rows: how long a page takes for each filter the dashboard
 * offers. Rows are inserted directly (no scrypt), tokens sealed as the product seals them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src-main/db/connection';
import { migrate } from '../src-main/db/migrate';
import { migrations } from '../src-main/db/migrations';
import { listAccountRows, type AccountFilter } from '../src-main/accounts/account-queries';
import { Vault } from '../src-main/crypto/vault';
import { sha256Hex, tokenPrefixOf } from '../src-main/crypto/tokens';
import { tokenAad } from '../src-main/crypto/sealing-aad';

const COUNT = Number(process.env.BENCH_ACCOUNTS ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'cas-bench-'));
const db = openDatabase(join(dir, 'cas.db'));
db.pragma('synchronous = OFF');
migrate(db, migrations);
const vault = new Vault(randomBytes(32));
const now = Date.now();

const started = performance.now();
const insert = db.prepare(
  `INSERT INTO accounts (username, role, comment, email, token_hash, token_sealed, token_prefix, enabled, expires_at,
     max_connections, max_devices, allowed_ips, created_at, updated_at)
   VALUES (?, 'user', ?, ?, ?, ?, ?, ?, ?, 1, 1, '[]', ?, ?)`,
);
const link = db.prepare('INSERT INTO account_packages (account_id, package_id) VALUES (?, ?)');
const device = db.prepare('INSERT INTO devices (account_id, hwid, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)');
let sampleToken = '';
const BATCH = 50_000;
for (let base = 0; base < COUNT; base += BATCH) {
  db.transaction(() => {
    for (let i = base; i < Math.min(base + BATCH, COUNT); i++) {
      const token = randomBytes(32).toString('base64url');
      if (i === 777_777 % COUNT) sampleToken = token;
      const hash = sha256Hex(token);
      const id = Number(
        insert.run(
          `subscriber${String(i).padStart(7, '0')}`,
          i % 1000 === 0 ? 'hotel lobby' : '',
          `user${i}@example.net`,
          hash,
          vault.seal(token, tokenAad(hash)),
          tokenPrefixOf(token),
          i % 50 === 0 ? 0 : 1,
          now + ((i % 400) - 20) * 86_400_000,
          now,
          now,
        ).lastInsertRowid,
      );
      link.run(id, i % 3 === 0 ? 'premium' : 'basic');
      if (i % 10 === 0) device.run(id, `HW-${i}`, now, now);
    }
  })();
}
db.exec('ANALYZE');
console.log(`inserted ${COUNT.toLocaleString('en')} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const scenarios: Array<[string, AccountFilter, { page?: number; sort?: 'username' | 'createdAt' | 'expiresAt' }]> = [
  ['first page, no filter', {}, {}],
  ['page 10,000, no filter', {}, { page: 10_000 }],
  ['text "lobby" (trigram)', { q: 'lobby' }, {}],
  ['text "subscriber0777" (trigram)', { q: 'subscriber0777' }, {}],
  ['prefix "su"', { q: 'su' }, {}],
  ['package premium', { package: 'premium' }, {}],
  ['HWID prefix, any case', { hwidPrefix: 'hw-12345' }, {}],
  ['token prefix', { tokenPrefix: sampleToken.slice(0, 6) }, {}],
  ['token', { tokenHash: sha256Hex(sampleToken) }, {}],
  ['status disabled', { status: 'disabled' }, {}],
  ['status expired', { status: 'expired' }, {}],
  ['sorted by expiry', {}, { sort: 'expiresAt' }],
];
console.log('filter'.padEnd(34), 'total'.padStart(9), 'page ms (median of 5)'.padStart(24));
for (const [name, filter, options] of scenarios) {
  const times: number[] = [];
  let total = 0;
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    total = listAccountRows(db, filter, { now, page: options.page ?? 1, pageSize: 50, sort: options.sort ?? 'username', order: 'asc' }).total;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(name.padEnd(34), String(total).padStart(9), times[2].toFixed(2).padStart(24));
}
db.close();
rmSync(dir, { recursive: true, force: true });
