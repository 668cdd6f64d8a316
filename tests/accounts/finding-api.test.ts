import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { explainAccountList } from '../../src-main/accounts/account-queries';
import { createChannel } from '../access/access-helpers';

let t: TestCas;

/** Typed tokens sharing their first eight characters, and one that does not. */
const TOKENS = {
  alpha: `AbCdEfGh${'a'.repeat(30)}`,
  beta: `AbCdEfGh${'b'.repeat(30)}`,
  other: `ZyXwVuTs${'c'.repeat(30)}`,
};

async function create(body: Record<string, unknown>): Promise<any> {
  const answer = await t.admin.post('/api/admin/accounts', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

async function usernamesFor(query: string): Promise<string[]> {
  const answer = await t.admin.get(`/api/admin/accounts?${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body.items as Array<{ username: string }>).map((a) => a.username).sort();
}

beforeAll(async () => {
  t = await startTestCas();
  await create({ username: 'find-alpha', token: TOKENS.alpha, hwid: 'BOX-ab12-0001', packages: ['basic'] });
  await create({ username: 'find-beta', token: TOKENS.beta, hwid: 'box-AB12-0002' });
  await create({ username: 'find-other', token: TOKENS.other, hwid: 'STB-9' });
});
afterAll(async () => {
  await t.dispose();
});

describe('token filter', () => {
  it('matches accounts whose token starts with what was typed, case-sensitively', async () => {
    expect(await usernamesFor('token=AbCd')).toEqual(['find-alpha', 'find-beta']);
    expect(await usernamesFor('token=AbCdEfGh')).toEqual(['find-alpha', 'find-beta']);
    expect(await usernamesFor('token=abcd')).toEqual([]);
  });

  it('narrows past the stored prefix by the whole token', async () => {
    expect(await usernamesFor(`token=${TOKENS.alpha.slice(0, 12)}`)).toEqual(['find-alpha']);
    expect(await usernamesFor(`token=${TOKENS.beta}`)).toEqual(['find-beta']);
    expect(await usernamesFor(`token=${TOKENS.beta}x`)).toEqual([]);
  });

  it('shows the searchable prefix of each token in the list', async () => {
    const list = await t.admin.get('/api/admin/accounts?q=find-alpha');
    expect(list.body.items[0].tokenPreview).toBe('AbCdEfGh…');
  });

  it('fills the prefix of accounts stored before it existed at the next start', async () => {
    t.cas.ctx.db.prepare("UPDATE accounts SET token_prefix = NULL WHERE username LIKE 'find-%'").run();
    expect(await usernamesFor('token=AbCd')).toEqual([]);
    t = await t.restart();
    expect(await usernamesFor('token=AbCd')).toEqual(['find-alpha', 'find-beta']);
  });
});

describe('HWID filter', () => {
  it('matches a prefix of any bound HWID in any letter case', async () => {
    expect(await usernamesFor('hwid=box-ab12')).toEqual(['find-alpha', 'find-beta']);
    expect(await usernamesFor('hwid=BOX-AB12-0002')).toEqual(['find-beta']);
    expect(await usernamesFor('hwid=stb')).toEqual(['find-other']);
    expect(await usernamesFor('hwid=box-ab13')).toEqual([]);
    const descending = await t.admin.get('/api/admin/accounts?hwid=box-ab12&sort=username&order=desc');
    expect(descending.body.items.map((a: { username: string }) => a.username)).toEqual(['find-beta', 'find-alpha']);
  });
});

describe('the prefix filters use their indexes', () => {
  it('answers token and HWID prefixes with a range over an index, never a scan', () => {
    const hwidPlan = explainAccountList(t.cas.ctx.db, { hwidPrefix: 'box-ab12' }, Date.now()).join('\n');
    expect(hwidPlan).toMatch(/SEARCH devices USING (COVERING )?INDEX devices_by_hwid_nocase \(hwid>\? AND hwid<\?\)/);
    const tokenPlan = explainAccountList(t.cas.ctx.db, { tokenPrefix: 'AbCd' }, Date.now()).join('\n');
    expect(tokenPlan).toMatch(/SEARCH a USING INDEX accounts_by_token_prefix \(token_prefix>\? AND token_prefix<\?\)/);
    expect(`${hwidPlan}\n${tokenPlan}`).not.toMatch(/SCAN (a|devices)\b/);
  });
});

describe('account create with the manual user form fields', () => {
  it('keeps a typed token and binds the typed HWID as a device', async () => {
    const token = `typed-token_${'9'.repeat(24)}`;
    const account = await create({ username: 'form-user', password: 'form-password-1', token, hwid: 'MAG-250 0a:1b', packages: ['premium'] });
    expect(account.token).toBe(token);
    expect(account.packages).toEqual(['premium']);
    expect(account.devices.map((d: { hwid: string; lastIp: string | null }) => [d.hwid, d.lastIp])).toEqual([['MAG-250 0a:1b', null]]);
    expect(await usernamesFor('hwid=mag-250')).toEqual(['form-user']);
  });

  it('refuses a token another account holds with 409 token_taken, and nothing is created', async () => {
    const answer = await t.admin.post('/api/admin/accounts', { username: 'form-dup', token: TOKENS.alpha, hwid: 'DUP-1' });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'token_taken', field: 'token' });
    expect(await usernamesFor('q=form-dup')).toEqual([]);
    expect(await usernamesFor('hwid=DUP-1')).toEqual([]);
  });

  it('refuses a typed token that is too short or not URL-safe, and a HWID with a line break', async () => {
    for (const [body, field] of [
      [{ username: 'form-short', token: 'short-token' }, 'token'],
      [{ username: 'form-chars', token: `${'x'.repeat(32)}/+=` }, 'token'],
      [{ username: 'form-hwid', hwid: 'BOX\n1' }, 'hwid'],
    ] as const) {
      const answer = await t.admin.post('/api/admin/accounts', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field).toBe(field);
    }
  });
});

describe('access log account filter', () => {
  it('takes a username in any letter case as well as the id', async () => {
    const alpha = (await t.admin.get('/api/admin/accounts?q=find-alpha')).body.items[0];
    const other = (await t.admin.get('/api/admin/accounts?q=find-other')).body.items[0];
    expect((await t.client.get(`/playlist.m3u8?token=${TOKENS.alpha}`)).status).toBe(200);
    expect((await t.client.get(`/playlist.m3u8?token=${TOKENS.other}`)).status).toBe(200);
    for (const account of ['FIND-Alpha', String(alpha.id)]) {
      const log = await t.admin.get(`/api/admin/access-log?account=${account}`);
      expect(log.status).toBe(200);
      expect(log.body.items.length).toBeGreaterThan(0);
      expect(new Set(log.body.items.map((e: { accountId: number }) => e.accountId))).toEqual(new Set([alpha.id]));
    }
    const otherLog = await t.admin.get('/api/admin/access-log?account=find-other');
    expect(otherLog.body.items.every((e: { accountId: number }) => e.accountId === other.id)).toBe(true);
    const nobody = await t.admin.get('/api/admin/access-log?account=no-such-user');
    expect(nobody.status).toBe(200);
    expect(nobody.body).toMatchObject({ items: [], total: 0 });
  });
});

describe('channel groups and order in the M3U playlist', () => {
  it('writes group-title and tvg-chno and orders by group order, then position, then number', async () => {
    await t.admin.post('/api/admin/packages', { id: 'grouped', name: 'Grouped' });
    await createChannel(t, { id: 'news-b', name: 'News B', number: 201, group: 'News', groupOrder: 2, packages: ['grouped'] });
    await createChannel(t, { id: 'news-a', name: 'News A', number: 202, group: 'News', position: 1, packages: ['grouped'] });
    await createChannel(t, { id: 'sport-z', name: 'Sport Z', number: 101, group: 'Sport', groupOrder: 1, packages: ['grouped'] });
    await createChannel(t, { id: 'sport-y', name: 'Sport Y', number: 102, group: 'Sport', packages: ['grouped'] });
    const viewer = await create({ username: 'm3u-viewer', packages: ['grouped'] });

    const listed = async () => {
      const answer = await t.client.get(`/playlist.m3u8?token=${viewer.token}`);
      expect(answer.status).toBe(200);
      return (answer.body as string).split('\n').filter((l) => l.startsWith('#EXTINF'));
    };
    const infos = await listed();
    expect(infos.map((l) => /tvg-id="([^"]+)"/.exec(l)![1])).toEqual(['sport-z', 'sport-y', 'news-a', 'news-b']);
    expect(infos[0]).toContain('tvg-chno="101"');
    expect(infos[0]).toContain('group-title="Sport"');
    expect(infos[2]).toMatch(/tvg-chno="202" group-title="News",News A$/);

    // A group has one order: a channel joining it takes it, and changing it moves the whole group.
    expect((await t.admin.get('/api/admin/channels/news-a')).body.groupOrder).toBe(2);
    expect((await t.admin.patch('/api/admin/channels/news-b', { groupOrder: 0 })).status).toBe(200);
    expect((await listed()).map((l) => /tvg-id="([^"]+)"/.exec(l)![1])).toEqual(['news-a', 'news-b', 'sport-z', 'sport-y']);
  });

  it('sorts the channel list by group and by name on request', async () => {
    const ids = async (query: string) =>
      ((await t.admin.get(`/api/admin/channels?package=grouped&${query}`)).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await ids('sort=group')).toEqual(['news-a', 'news-b', 'sport-z', 'sport-y']);
    expect(await ids('sort=name&order=desc')).toEqual(['sport-z', 'sport-y', 'news-b', 'news-a']);
    expect(await ids('sort=number')).toEqual(['sport-z', 'sport-y', 'news-b', 'news-a']);
  });
});
