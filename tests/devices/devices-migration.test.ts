import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/connection';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';

let dir: string;
let db: Db;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cas-devices-migration-'));
  db = openDatabase(join(dir, 'cas.db'));
  migrate(db, migrations);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(sql: string, ...params: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
}

describe('devices migration (0300)', () => {
  it('looks up a device session by its token hash through the unique index', () => {
    expect(plan('SELECT * FROM device_sessions WHERE token_hash = ?', 'x')).toMatch(/USING INDEX sqlite_autoindex_device_sessions_1/);
  });

  it('sweeps expired sessions and nonces through their expiry indexes', () => {
    expect(plan('DELETE FROM device_sessions WHERE expires_at <= ?', 1)).toMatch(/device_sessions_by_expiry/);
    expect(plan('DELETE FROM device_nonces WHERE expires_at < ?', 1)).toMatch(/device_nonces_by_expiry/);
  });

  it('filters sessions by account and by device through indexes', () => {
    expect(plan('SELECT * FROM device_sessions s WHERE s.expires_at > ? AND s.account_id = ? ORDER BY s.created_at DESC', 1, 1)).toMatch(
      /device_sessions_by_account/,
    );
    expect(plan('SELECT * FROM device_sessions s WHERE s.device_id = ?', 1)).toMatch(/device_sessions_by_device/);
  });

  it('checks a nonce by its primary key', () => {
    expect(plan('SELECT 1 FROM device_nonces WHERE account_id = ? AND nonce = ?', 1, 'n')).toMatch(/PRIMARY KEY/);
  });
});
