import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
  await createChannel(t, { id: 'one', name: 'One', number: 1, packages: ['basic'] });
  await createChannel(t, { id: 'two', name: 'Two', number: 2, packages: ['basic'] });
  await patchSettings(t, { sharingMaxAddresses: 0 });
});
afterAll(async () => {
  await t.dispose();
});

describe('connection limit', () => {
  it('never lets N+1 simultaneous viewers all in (token credential)', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 3 });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => astra(t.client, `token=${account.token}`, { ip: `198.18.0.${i + 1}`, channel: 'one', session: `c${i}` })),
    );
    const allowed = answers.filter((a) => a.status === 200).length;
    expect(allowed).toBe(3);
    expect(answers.filter((a) => a.headers.get('x-cas-reason') === 'connection_limit')).toHaveLength(9);
  });

  it('never lets N+1 simultaneous viewers all in while scrypt checks are in flight (login:password)', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 2, password: 'limit-password-1' });
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        astra(t.client, `auth=${account.username}:limit-password-1`, { ip: `198.18.1.${i + 1}`, channel: 'one', session: `p${i}` }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
  });

  it('counts repeated checks of the same viewer as one session', async () => {
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
    for (let i = 0; i < 4; i++) {
      expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.2.1', channel: 'one', ua: 'VLC/3.0' })).status).toBe(200);
    }
    const sessions = await t.admin.get(`/api/admin/sessions?account=${account.id}`);
    expect(sessions.body.total).toBe(1);
    expect(sessions.body.items[0].requests).toBe(4);
  });

  it('ends sessions that stop checking in, freeing their slot (no ghost sessions)', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest', sessionIdleSeconds: 60 });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.3.1', channel: 'one' })).status).toBe(200);
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.3.2', channel: 'one' })).headers.get('x-cas-reason')).toBe('connection_limit');
    t.clock.advance(61_000);
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.3.2', channel: 'one' })).status).toBe(200);
    const ended = await t.admin.get(`/api/admin/sessions?account=${account.id}&state=ended`);
    expect(ended.body.items.map((s: any) => s.endReason)).toEqual(['idle']);
  });

  it('ends the oldest session under the end-oldest policy and refuses its next check', async () => {
    await patchSettings(t, { overLimitPolicy: 'end-oldest' });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.4.1', channel: 'one', session: 'old' })).status).toBe(200);
    t.clock.advance(1000);
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.4.2', channel: 'one', session: 'new' })).status).toBe(200);
    const old = await astra(t.client, `token=${account.token}`, { ip: '198.18.4.1', channel: 'one', session: 'old' });
    expect(old.headers.get('x-cas-reason')).toBe('session_ended');
  });

  it('hands the slot over to the same viewer switching channels, but not to another viewer', async () => {
    await patchSettings(t, { overLimitPolicy: 'handover', handoverSeconds: 20 });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
    const viewer = { ip: '198.18.5.1', ua: 'SmartTV/1' };
    expect((await astra(t.client, `token=${account.token}`, { ...viewer, channel: 'one' })).status).toBe(200);
    expect((await astra(t.client, `token=${account.token}`, { ...viewer, channel: 'two' })).status).toBe(200);
    const other = await astra(t.client, `token=${account.token}`, { ip: '198.18.5.2', ua: 'Phone/2', channel: 'one' });
    expect(other.headers.get('x-cas-reason')).toBe('connection_limit');
    // A session silent for longer than the hand-over window gives way as well.
    t.clock.advance(21_000);
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.5.2', ua: 'Phone/2', channel: 'one' })).status).toBe(200);
  });
});

describe('sessions admin API', () => {
  it('lists active sessions filtered by account, channel and IP, and ends one so its next check is refused', async () => {
    await patchSettings(t, { overLimitPolicy: 'refuse-newest' });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.6.1', channel: 'one', session: 'a' });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.6.2', channel: 'two', session: 'b' });
    const byChannel = await t.admin.get(`/api/admin/sessions?account=${account.id}&channel=two`);
    expect(byChannel.body.items.map((s: any) => s.ip)).toEqual(['198.18.6.2']);
    const byIp = await t.admin.get('/api/admin/sessions?ip=198.18.6.1');
    expect(byIp.body.items).toHaveLength(1);
    const id = byIp.body.items[0].id;
    expect((await t.admin.delete(`/api/admin/sessions/${id}`)).status).toBe(204);
    const next = await astra(t.client, `token=${account.token}`, { ip: '198.18.6.1', channel: 'one', session: 'a' });
    expect(next.headers.get('x-cas-reason')).toBe('session_ended');
    const one = await t.admin.get(`/api/admin/sessions/${id}`);
    expect(one.body.endReason).toBe('admin');
    const audit = await t.admin.get('/api/admin/audit?action=session.end');
    expect(audit.body.items[0].targetId).toBe(String(id));
  });

  it('ends the sessions of an account that is disabled', async () => {
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.9.1', channel: 'one' });
    expect((await t.admin.get(`/api/admin/sessions?account=${account.id}`)).body.total).toBe(1);
    await t.admin.patch(`/api/admin/accounts/${account.id}`, { enabled: false });
    expect((await t.admin.get(`/api/admin/sessions?account=${account.id}`)).body.total).toBe(0);
    const ended = await t.admin.get(`/api/admin/sessions?account=${account.id}&state=ended`);
    expect(ended.body.items[0].endReason).toBe('account_changed');
  });

  it('rejects a malformed IP filter with a 400 naming the field', async () => {
    const answer = await t.admin.get('/api/admin/sessions?ip=not-an-ip');
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('ip');
  });

  it('reports watch time and peak viewers per channel and per account', async () => {
    const a = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const from = new Date(t.clock.now()).toISOString();
    await astra(t.client, `token=${a.token}`, { ip: '198.18.7.1', channel: 'two', session: 's1' });
    await astra(t.client, `token=${a.token}`, { ip: '198.18.7.2', channel: 'two', session: 's2' });
    t.clock.advance(30_000);
    await astra(t.client, `token=${a.token}`, { ip: '198.18.7.1', channel: 'two', session: 's1' });
    await astra(t.client, `token=${a.token}`, { ip: '198.18.7.2', channel: 'two', session: 's2' });
    const to = new Date(t.clock.now() + 1).toISOString();
    const accounts = await t.admin.get(`/api/admin/stats/accounts?account=${a.id}&from=${from}&to=${to}`);
    expect(accounts.status).toBe(200);
    expect(accounts.body.items[0]).toMatchObject({ accountId: a.id, sessions: 2, channels: 1, watchSeconds: 60, peakSessions: 2 });
    const channels = await t.admin.get(`/api/admin/stats/channels?channel=two&account=${a.id}&from=${from}&to=${to}`);
    expect(channels.body.items[0]).toMatchObject({ channelId: 'two', name: 'Two', sessions: 2, viewers: 1, watchSeconds: 60 });
    expect(channels.body.items[0].peakViewers).toBeGreaterThanOrEqual(2);
  });
});

describe('access log and dashboard', () => {
  it('logs every decision with its reason, filterable by account, result, reason, channel and IP', async () => {
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.8.1', channel: 'one' });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.8.1', channel: 'nope' });
    const all = await t.admin.get(`/api/admin/access-log?account=${account.id}`);
    expect(all.body.total).toBe(2);
    const refused = await t.admin.get(`/api/admin/access-log?account=${account.id}&result=deny`);
    expect(refused.body.items.map((e: any) => [e.reason, e.channelId, e.source])).toEqual([['channel_unknown', 'nope', 'astra']]);
    expect((await t.admin.get('/api/admin/access-log?reason=channel_unknown&ip=198.18.8.1')).body.total).toBe(1);
    expect((await t.admin.get('/api/admin/access-log?channel=one&ip=198.18.8.1')).body.items[0].result).toBe('allow');
    const badReason = await t.admin.get('/api/admin/access-log?reason=whatever');
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.field).toBe('reason');
  });

  it('writes a session start as a row, its refreshes only into the session and the hourly figures', async () => {
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    const hourNow = async () => (await t.admin.get('/api/admin/dashboard/summary')).body.hourly[23].authorizations as number;
    const before = await hourNow();
    for (let i = 0; i < 5; i++) expect((await astra(t.client, `token=${account.token}`, { ip: '198.18.9.1', channel: 'two', session: 'refresh' })).status).toBe(200);
    const rows = await t.admin.get(`/api/admin/access-log?account=${account.id}`);
    expect(rows.body.items.map((e: any) => [e.result, e.channelId, e.count ?? 1])).toEqual([['allow', 'two', 1]]);
    const sessions = await t.admin.get(`/api/admin/sessions?account=${account.id}`);
    expect(sessions.body.items[0].requests).toBe(5);
    expect((await hourNow()) - before).toBe(5);
  });

  it('summarises viewers now, hourly authorizations and refusals, and top channels', async () => {
    const summary = await t.admin.get('/api/admin/dashboard/summary');
    expect(summary.status).toBe(200);
    expect(summary.body.hourly).toHaveLength(24);
    const last = summary.body.hourly[23];
    expect(last.authorizations).toBeGreaterThan(0);
    expect(last.refusals).toBeGreaterThan(0);
    expect(summary.body.viewersNow).toBeGreaterThan(0);
    expect(summary.body.refusalsByReason.connection_limit).toBeGreaterThan(0);
    expect(summary.body.topChannels[0].viewers).toBeGreaterThan(0);
  });
});

describe('retention', () => {
  it('drops access-log rows and ended sessions older than their retention settings', async () => {
    await patchSettings(t, { accessLogRetentionDays: 7, sessionHistoryDays: 7 });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    await astra(t.client, `token=${account.token}`, { ip: '198.18.10.1', channel: 'one' });
    expect((await t.admin.get(`/api/admin/access-log?account=${account.id}`)).body.total).toBe(1);
    t.clock.advance(8 * 86_400_000);
    // The operator's own session expired meanwhile: sign in again.
    t.admin.token = (await t.anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD })).body.token;
    t.cas.services.access.sweep();
    t.cas.services.access.flush();
    t.cas.services.access.pruneHistory();
    expect((await t.admin.get(`/api/admin/access-log?account=${account.id}`)).body.total).toBe(0);
    expect((await t.admin.get(`/api/admin/sessions?account=${account.id}&state=all`)).body.total).toBe(0);
  });
});

describe('sharing detection', () => {
  it('flags an account seen from more networks than allowed, keeps the evidence, and optionally suspends it', async () => {
    await patchSettings(t, { sharingMaxAddresses: 2, sharingWindowMinutes: 10, sharingByNetwork: true, sharingSuspend: true });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    for (const ip of ['203.0.113.1', '203.0.113.2', '198.51.100.1']) {
      expect((await astra(t.client, `token=${account.token}`, { ip, channel: 'one' })).status).toBe(200);
    }
    const third = await astra(t.client, `token=${account.token}`, { ip: '192.0.2.1', channel: 'two' });
    expect(third.headers.get('x-cas-reason')).toBe('suspended');
    const flags = await t.admin.get(`/api/admin/access/sharing-flags?account=${account.id}`);
    expect(flags.body.items).toHaveLength(1);
    expect(flags.body.items[0].evidence.map((e: any) => e.address).sort()).toEqual(['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']);
    expect(flags.body.items[0].suspended).toBe(true);
    expect((await astra(t.client, `token=${account.token}`, { ip: '203.0.113.1', channel: 'one' })).headers.get('x-cas-reason')).toBe('suspended');
    expect((await t.admin.delete(`/api/admin/access/suspensions/${account.id}`)).status).toBe(204);
    expect((await astra(t.client, `token=${account.token}`, { ip: '203.0.113.1', channel: 'one' })).status).toBe(200);
    await patchSettings(t, { sharingMaxAddresses: 0, sharingSuspend: false });
  });
});

describe('explanation API', () => {
  it('says which rule refuses and why, step by step', async () => {
    const account = await createViewer(t, { packages: ['premium'], allowedIps: ['203.0.113.0/24'] });
    const wrongIp = await t.admin.get(`/api/admin/access/explain?account=${account.username}&channel=one&ip=192.0.2.1`);
    expect(wrongIp.status).toBe(200);
    expect(wrongIp.body).toMatchObject({ allow: false, reason: 'ip_not_allowed' });
    expect(wrongIp.body.steps.find((s: any) => s.outcome === 'fail').check).toBe('account_ips');
    // Every step is a code with params, for any client to say in its own language; `detail` stays English.
    const stepOf = (body: any, check: string) => body.steps.find((s: any) => s.check === check);
    expect(stepOf(wrongIp.body, 'account_ips')).toMatchObject({ code: 'ip_not_among_allowed', params: { ip: '192.0.2.1', ranges: '203.0.113.0/24' } });
    expect(stepOf(wrongIp.body, 'account_enabled')).toMatchObject({ code: 'account_enabled', params: { username: account.username } });
    expect(stepOf(wrongIp.body, 'deny_list')).toMatchObject({ code: 'ip_not_denied', params: { ip: '192.0.2.1' }, detail: '192.0.2.1 is not on the deny list' });
    const notEntitled = await t.admin.get(`/api/admin/access/explain?account=${account.id}&channel=one&ip=203.0.113.5`);
    expect(notEntitled.body).toMatchObject({ allow: false, reason: 'not_entitled' });
    expect(stepOf(notEntitled.body, 'entitlement')).toMatchObject({ code: 'not_entitled', params: { channel: 'one', packages: 'premium' } });
    await t.admin.patch(`/api/admin/accounts/${account.id}`, { packages: ['basic'], maxConnections: 2, expiresAt: '2030-12-31T12:00:00.000Z' });
    const ok = await t.admin.get(`/api/admin/access/explain?account=${account.id}&channel=one&ip=203.0.113.5`);
    expect(ok.body).toMatchObject({ allow: true, rule: 'credential', reason: null });
    expect(ok.body.steps.map((s: any) => s.check)).toContain('connection_limit');
    expect(stepOf(ok.body, 'entitlement')).toMatchObject({ code: 'entitled', params: { channel: 'one', packages: 'basic' } });
    expect(stepOf(ok.body, 'account_expiry')).toMatchObject({ code: 'valid_until', params: { date: '2030-12-31T12:00:00.000Z' }, at: '2030-12-31T12:00:00.000Z' });
    expect(stepOf(ok.body, 'connection_limit')).toMatchObject({ code: 'connections_in_use', params: { active: 0, max: 2, policy: expect.any(String) } });
    const unknown = await t.admin.get('/api/admin/access/explain?account=nobody-here&channel=one&ip=203.0.113.5');
    expect(unknown.body).toMatchObject({ allow: false, reason: 'bad_credential' });
    expect(stepOf(unknown.body, 'credential')).toMatchObject({ code: 'no_account', params: { account: 'nobody-here' }, detail: 'No account "nobody-here"' });
    const badAddress = await t.admin.get(`/api/admin/access/explain?account=${account.id}&channel=one&ip=999.1.1.1`);
    expect(badAddress.status).toBe(400);
    expect(badAddress.body.error.field).toBe('ip');
  });
});
