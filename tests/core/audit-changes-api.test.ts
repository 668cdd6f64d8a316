import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { accountById } from '../../src-main/accounts/account-queries';
import { auditActionValues } from '../../src-shared/schemas/audit';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

interface Entry {
  id: number;
  action: string;
  summary: Record<string, unknown>;
  changes: Array<{ field: string; before?: unknown; after?: unknown; secret?: true }>;
  subjectCount: number;
  subjectsPreview: string[];
}

async function latest(query: string): Promise<Entry> {
  const answer = await t.admin.get(`/api/admin/audit?${query}`);
  expect(answer.status).toBe(200);
  return answer.body.items[0] as Entry;
}

async function wholeAudit(): Promise<string> {
  return JSON.stringify((await t.admin.get('/api/admin/audit?pageSize=500')).body);
}

describe('audit: who changed what, field by field', () => {
  it('lists an account update as before → after per field, and a new password and token only as "changed"', async () => {
    const created = (await t.admin.post('/api/admin/accounts', { username: 'diffed', password: 'first-secret-pass', maxConnections: 1, packages: ['basic'] })).body;
    const patched = await t.admin.patch(`/api/admin/accounts/${created.id}`, { maxConnections: 3, comment: 'VIP', packages: ['basic', 'premium'], password: 'second-secret-pass' });
    expect(patched.status).toBe(200);
    const entry = await latest(`action=account.update&targetId=${created.id}`);
    expect(entry.changes).toEqual(
      expect.arrayContaining([
        { field: 'maxConnections', before: 1, after: 3 },
        { field: 'comment', before: '', after: 'VIP' },
        { field: 'packages', before: ['basic'], after: ['basic', 'premium'] },
        { field: 'password', secret: true },
      ]),
    );
    expect(entry.changes.map((c) => c.field)).not.toContain('updatedAt');

    const regenerated = (await t.admin.post(`/api/admin/accounts/${created.id}/token`)).body;
    expect((await latest(`action=account.token.regenerate&targetId=${created.id}`)).changes).toEqual([{ field: 'token', secret: true }]);

    const row = accountById(t.cas.ctx.db, created.id)!;
    const everything = await wholeAudit();
    for (const secret of ['first-secret-pass', 'second-secret-pass', created.token, regenerated.token, row.password_hash!, row.token_hash]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('masks every secret of an update, whatever the record: a rotated signing secret is "changed", other settings show their values', async () => {
    const secret = 'rotated-signing-secret-0123456789';
    const answer = await t.admin.patch('/api/admin/settings', { securetokenSecret: secret, adminSessionHours: 9 });
    expect(answer.status).toBe(200);
    const entry = await latest('action=settings.update');
    expect(entry.changes).toEqual(expect.arrayContaining([{ field: 'securetokenSecret', secret: true }, { field: 'adminSessionHours', before: 12, after: 9 }]));
    expect(await wholeAudit()).not.toContain(secret);
  });

  it('lists channel and package updates field by field', async () => {
    await t.admin.post('/api/admin/channels', { id: 'audit-news', name: 'News', number: 501, packages: ['basic'] });
    await t.admin.patch('/api/admin/channels/audit-news', { name: 'News 24', enabled: false });
    expect((await latest('action=channel.update&targetId=audit-news')).changes).toEqual(
      expect.arrayContaining([{ field: 'name', before: 'News', after: 'News 24' }, { field: 'enabled', before: true, after: false }]),
    );
    await t.admin.patch('/api/admin/packages/basic', { description: 'Starter channels' });
    expect((await latest('action=package.update&targetId=basic')).changes).toEqual([{ field: 'description', before: expect.any(String), after: 'Starter channels' }]);
  });
});

describe('audit: bulk actions and imports are one entry each', () => {
  it('writes one entry for a bulk disable with the count and every username, the list downloadable', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) ids.push((await t.admin.post('/api/admin/accounts', { username: `bulk-audit-${String(i).padStart(2, '0')}` })).body.id);
    const before = (await t.admin.get('/api/admin/audit?pageSize=1')).body.total as number;
    expect((await t.admin.post('/api/admin/accounts/bulk', { action: 'disable', ids })).status).toBe(200);
    const after = (await t.admin.get('/api/admin/audit?pageSize=1')).body.total as number;
    expect(after - before).toBe(1);

    const entry = await latest('action=account.bulk.disable');
    expect(entry).toMatchObject({ subjectCount: 25, summary: { count: 25, changed: 25 } });
    expect(entry.subjectsPreview).toEqual(Array.from({ length: 10 }, (_, i) => `bulk-audit-${String(i).padStart(2, '0')}`));
    const all = await t.admin.get(`/api/admin/audit/${entry.id}/subjects`);
    expect(all.status).toBe(200);
    expect(all.body.subjects).toHaveLength(25);
    expect(all.body.subjects).toContain('bulk-audit-24');
    expect((await t.admin.get('/api/admin/audit/999999/subjects')).status).toBe(404);
  });

  it('writes one entry for a CSV import, naming the accounts it created', async () => {
    const before = (await t.admin.get('/api/admin/audit?pageSize=1')).body.total as number;
    const csv = ['username,password', 'imp-one,import-pass-1', 'imp-two,import-pass-2', 'imp-three,'].join('\n');
    expect((await t.admin.post('/api/admin/accounts/import', { csv, dryRun: false })).status).toBe(200);
    expect((await t.admin.get('/api/admin/audit?pageSize=1')).body.total - before).toBe(1);
    const entry = await latest('action=account.import');
    expect(entry).toMatchObject({ subjectCount: 3, subjectsPreview: ['imp-one', 'imp-two', 'imp-three'] });
    expect(await wholeAudit()).not.toContain('import-pass-1');
  });
});

describe('audit: actions are a fixed catalogue', () => {
  it('filters by a catalogue action and refuses an action outside it, naming the field', async () => {
    const answer = await t.admin.get('/api/admin/audit?action=account.update&pageSize=500');
    expect(answer.status).toBe(200);
    expect(answer.body.items.length).toBeGreaterThan(0);
    expect(answer.body.items.every((e: Entry) => e.action === 'account.update')).toBe(true);
    const unknown = await t.admin.get('/api/admin/audit?action=account.upd');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.field).toBe('action');
  });

  it('holds every action the CAS has written', async () => {
    const written = (await t.admin.get('/api/admin/audit?pageSize=500')).body.items.map((e: Entry) => e.action);
    for (const action of written) expect(auditActionValues).toContain(action);
  });
});
