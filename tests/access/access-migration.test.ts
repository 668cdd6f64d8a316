import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/db/connection';
import { migrate } from '../../src-main/db/migrate';
import { migrations } from '../../src-main/db/migrations';
import { explainAccessLogQuery } from '../../src-main/access/access-log';
import { explainSessionQuery } from '../../src-main/access/viewing-session-queries';

let dir: string;
let db: Db;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cas-access-migration-'));
  db = openDatabase(join(dir, 'cas.db'));
  migrate(db, migrations);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (details: string[]) => details.join(' | ');

describe('access migration indexes', () => {
  it('serves every access-log filter from an index, never a full scan', () => {
    const cases: Array<[Parameters<typeof explainAccessLogQuery>[1], string]> = [
      [{}, 'access_log_by_at'],
      [{ accountId: 1 }, 'access_log_by_account'],
      [{ channelId: 'news' }, 'access_log_by_channel'],
      [{ ip: '192.0.2.1' }, 'access_log_by_ip'],
      [{ result: 'deny' }, 'access_log_by_result'],
      [{ reason: 'expired' }, 'access_log_by_reason'],
      [{ fromMs: 0, toMs: 1 }, 'access_log_by_at'],
    ];
    for (const [filter, index] of cases) {
      const details = plan(explainAccessLogQuery(db, filter));
      expect(details, JSON.stringify(filter)).toContain(index);
      expect(details).not.toMatch(/SCAN access_log(?! USING)/);
    }
  });

  it('serves session lists by account, channel, IP and the active set from indexes', () => {
    expect(plan(explainSessionQuery(db, { state: 'active' }))).toContain('viewing_sessions_active');
    expect(plan(explainSessionQuery(db, { state: 'all', accountId: 1 }))).toContain('viewing_sessions_by_account');
    expect(plan(explainSessionQuery(db, { state: 'all', channelId: 'x' }))).toContain('viewing_sessions_by_channel');
    expect(plan(explainSessionQuery(db, { state: 'all', ip: '192.0.2.1' }))).toContain('viewing_sessions_by_ip');
  });

  it('adds the URL-signing scheme and stream base URL to channels, defaulting to the plain token', () => {
    db.prepare("INSERT INTO channels (id, name, stream_path, created_at, updated_at) VALUES ('c', 'C', '/tv/c/index.m3u8', 0, 0)").run();
    expect(db.prepare("SELECT url_signing, stream_base_url FROM channels WHERE id = 'c'").get()).toEqual({ url_signing: 'token', stream_base_url: null });
    expect(() => db.prepare("UPDATE channels SET url_signing = 'md5' WHERE id = 'c'").run()).toThrow();
  });
});
