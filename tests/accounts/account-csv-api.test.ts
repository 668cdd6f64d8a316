import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { isErrorCode } from '../../src-shared/error-codes';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

const goodAndBad = [
  'username,password,role,packages,maxConnections,expiresAt,email,comment',
  'csv-alice,alice-pass-1,user,basic;premium,2,2030-01-01,alice@example.com,first',
  'csv-bob,,user,basic,1,,,second',
  'x,short,user,nope,abc,not-a-date,not-an-email,bad row',
  'csv-carol,carol-pass-1,observer,,1,,,third',
].join('\n');

async function usernames(q: string): Promise<string[]> {
  const answer = await t.admin.get(`/api/admin/accounts?q=${q}&pageSize=100`);
  return answer.body.items.map((a: { username: string }) => a.username);
}

describe('accounts CSV import', () => {
  it('previews a file with per-row errors naming the fields, and writes nothing', async () => {
    const answer = await t.admin.post('/api/admin/accounts/import', { csv: goodAndBad, dryRun: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ dryRun: true, total: 4, valid: 3, invalid: 1, created: 0, fileErrors: [] });
    const bad = answer.body.rows.find((r: { line: number }) => r.line === 4);
    expect(bad.ok).toBe(false);
    const fields = bad.errors.map((e: { field?: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'maxConnections', 'expiresAt', 'email', 'packages']));
    // Every row error is a catalogue code with its params, so the dashboard can say it in any language.
    for (const error of bad.errors) expect(isErrorCode(error.code), JSON.stringify(error)).toBe(true);
    expect(bad.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'email', code: 'invalid_email', params: { field: 'email' } })]));
    expect(await usernames('csv-')).toEqual([]);
  });

  it('refuses to commit a file with an invalid row unless told to skip it', async () => {
    const answer = await t.admin.post('/api/admin/accounts/import', { csv: goodAndBad, dryRun: false });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ field: 'csv', code: 'csv_rows_invalid', params: { count: 1, line: 4 } });
    expect(answer.body.error.message).toContain('line 4');
    expect(await usernames('csv-')).toEqual([]);
  });

  it('commits the valid rows in one go with hashed passwords and packages, and audits the import', async () => {
    const answer = await t.admin.post('/api/admin/accounts/import', { csv: goodAndBad, dryRun: false, skipInvalid: true });
    expect(answer.status).toBe(200);
    expect(answer.body.created).toBe(3);
    expect(await usernames('csv-')).toEqual(['csv-alice', 'csv-bob', 'csv-carol']);
    const alice = (await t.admin.get('/api/admin/accounts?q=csv-alice')).body.items[0];
    expect(alice).toMatchObject({ packages: ['basic', 'premium'], maxConnections: 2, hasPassword: true, email: 'alice@example.com' });
    expect(alice.expiresAt).toBe('2030-01-01T23:59:59.000Z');
    const login = await t.anonymous.post('/api/admin/login', { username: 'csv-carol', password: 'carol-pass-1' });
    expect(login.status).toBe(200);
    const audit = await t.admin.get('/api/admin/audit?action=account.import');
    expect(audit.body.items[0].summary).toEqual({ created: 3, skipped: 1 });
  });

  it('reports usernames already taken and duplicates inside the file', async () => {
    const csv = 'username\ncsv-alice\nnew-one\nNEW-ONE\n';
    const answer = await t.admin.post('/api/admin/accounts/import', { csv, dryRun: true });
    expect(answer.body.rows.map((r: { ok: boolean }) => r.ok)).toEqual([false, true, false]);
    expect(answer.body.rows[0].errors[0]).toMatchObject({ code: 'username_taken', params: { username: 'csv-alice' } });
    expect(answer.body.rows[2].errors[0]).toMatchObject({ code: 'csv_username_repeated', params: { line: 3 } });
    expect(answer.body.rows[2].errors[0].message).toContain('line 3');
  });

  it('rejects unknown columns as a file error', async () => {
    const answer = await t.admin.post('/api/admin/accounts/import', { csv: 'username,favouriteColour\nzed,blue\n', dryRun: true });
    expect(answer.status).toBe(200);
    expect(answer.body.fileErrors[0]).toMatchObject({ code: 'csv_unknown_columns', params: { columns: 'favouriteColour' } });
    expect(answer.body.fileErrors[0].message).toContain('favouriteColour');
    const commit = await t.admin.post('/api/admin/accounts/import', { csv: 'username,favouriteColour\nzed,blue\n', dryRun: false });
    expect(commit.status).toBe(400);
  });

  it('does not let an observer import', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'csv-observer', password: 'observer-pass-1', role: 'observer' });
    const login = await t.anonymous.post('/api/admin/login', { username: 'csv-observer', password: 'observer-pass-1' });
    const observer = t.anonymous.withToken(login.body.token);
    const answer = await observer.post('/api/admin/accounts/import', { csv: 'username\nsneaky\n', dryRun: false });
    expect(answer.status).toBe(403);
  });
});

describe('accounts CSV export', () => {
  it('exports the filtered list with tokens for admins, and imports again unchanged', async () => {
    const answer = await t.admin.get('/api/admin/accounts/export.csv?package=premium');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/csv');
    expect(answer.headers.get('content-disposition')).toContain('attachment');
    const parsed = Papa.parse<Record<string, string>>(String(answer.body).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
    expect(parsed.data.map((r) => r.username)).toEqual(['csv-alice']);
    expect(parsed.data[0].packages).toBe('basic;premium');
    expect(parsed.data[0].token.length).toBeGreaterThanOrEqual(32);

    // Re-importing the export under a new name with a new token is accepted (export-only columns are skipped).
    const row = { ...parsed.data[0], username: 'csv-alice-2', token: `${parsed.data[0].token}x` };
    const again = await t.admin.post('/api/admin/accounts/import', { csv: Papa.unparse([row]), dryRun: true });
    expect(again.body.fileErrors).toEqual([]);
    expect(again.body.rows[0]).toMatchObject({ ok: true });
  });

  it('pages through large lists in chunks without losing or repeating rows', async () => {
    const csv = ['username', ...Array.from({ length: 2500 }, (_, i) => `bulk-${String(i).padStart(5, '0')}`)].join('\n');
    const imported = await t.admin.post('/api/admin/accounts/import', { csv, dryRun: false });
    expect(imported.body.created).toBe(2500);
    const answer = await t.admin.get('/api/admin/accounts/export.csv?q=bulk-');
    const parsed = Papa.parse<Record<string, string>>(String(answer.body).replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
    const names = parsed.data.map((r) => r.username);
    expect(names.length).toBe(2500);
    expect(new Set(names).size).toBe(2500);
  });

  it('lists accounts expiring within N days', async () => {
    const soon = new Date(t.clock.now() + 3 * 86_400_000).toISOString();
    await t.admin.post('/api/admin/accounts', { username: 'expiring-soon', expiresAt: soon });
    const answer = await t.admin.get('/api/admin/accounts?expiresWithinDays=7');
    expect(answer.body.items.map((a: { username: string }) => a.username)).toEqual(['expiring-soon']);
  });
});

describe('accounts CSV export against formula injection', () => {
  const risky = [
    { username: '-csvformula', comment: '=HYPERLINK("http://evil.example","open")', token: `-${'a'.repeat(40)}` },
    { username: '@csvformula', comment: "'=already quoted once", token: `${'b'.repeat(40)}` },
    { username: 'csvformula.tab', comment: '\tstarts with a tab', email: null },
    { username: 'csvformula.cr', comment: '\rstarts with CR', email: null },
    { username: 'csvformula.plus', comment: '+1+1', email: null },
  ];

  it('neutralises every cell a spreadsheet would run, usernames and tokens too, and imports back the same values', async () => {
    const created: { id: number }[] = [];
    for (const account of risky) {
      const answer = await t.admin.post('/api/admin/accounts', account);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      created.push(answer.body);
    }
    const exported = String((await t.admin.get('/api/admin/accounts/export.csv?q=csvformula')).body);
    const parsed = Papa.parse<Record<string, string>>(exported.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
    expect(parsed.data).toHaveLength(risky.length);
    for (const row of parsed.data) {
      for (const [column, cell] of Object.entries(row)) expect(cell, `${column}: ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    }

    for (const account of created) expect((await t.admin.delete(`/api/admin/accounts/${account.id}`)).status).toBeLessThan(300);
    const imported = await t.admin.post('/api/admin/accounts/import', { csv: exported, dryRun: false });
    expect(imported.body.rows.filter((r: { ok: boolean }) => !r.ok)).toEqual([]);
    const listed = (await t.admin.get('/api/admin/accounts?q=csvformula&pageSize=100')).body.items as { username: string; comment: string; token?: string }[];
    for (const account of risky) {
      const back = listed.find((a) => a.username === account.username);
      expect(back, account.username).toBeDefined();
      expect(back!.comment).toBe(account.comment);
      if (account.token) expect(back!.token).toBe(account.token);
    }
  });
});
