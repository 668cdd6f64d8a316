import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas, ADMIN_PASSWORD } from '../helpers/test-cas';

let t: TestCas;

beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

async function observerClient() {
  const created = await t.admin.post('/api/admin/accounts', { username: 'watcher', password: 'observer-pass-1', role: 'observer' });
  expect(created.status).toBe(201);
  const login = await t.anonymous.post('/api/admin/login', { username: 'watcher', password: 'observer-pass-1' });
  expect(login.status).toBe(200);
  return t.anonymous.withToken(login.body.token);
}

describe('sign-in', () => {
  it('rejects requests without a session with 401', async () => {
    const answer = await t.anonymous.get('/api/admin/accounts');
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ code: 'sign_in_required', params: {} });
  });

  it('rejects a wrong password without saying which part was wrong', async () => {
    const answer = await t.anonymous.post('/api/admin/login', { username: 'admin', password: 'wrong-password' });
    expect(answer.status).toBe(401);
    expect(answer.body.error.message).toBe('Wrong username or password');
  });

  it('does not let subscribers (role user) sign in to the admin API', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'viewer1', password: 'viewer-pass-1', role: 'user' });
    const answer = await t.anonymous.post('/api/admin/login', { username: 'viewer1', password: 'viewer-pass-1' });
    expect(answer.status).toBe(401);
  });

  it('locks an account after repeated failures and says until when', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'locky', password: 'locky-pass-1', role: 'admin' });
    for (let i = 0; i < 5; i++) await t.anonymous.post('/api/admin/login', { username: 'locky', password: 'nope-nope' });
    const answer = await t.anonymous.post('/api/admin/login', { username: 'locky', password: 'locky-pass-1' });
    expect(answer.status).toBe(429);
    expect(answer.body.error.code).toBe('locked_out');
    expect(Date.parse(answer.body.error.details.lockedUntil)).toBeGreaterThan(t.clock.now());
  });

  it('revokes the session on logout', async () => {
    const login = await t.anonymous.post('/api/admin/login', { username: 'admin', password: ADMIN_PASSWORD });
    const session = t.anonymous.withToken(login.body.token);
    expect((await session.get('/api/admin/me')).body.username).toBe('admin');
    expect((await session.post('/api/admin/logout')).status).toBe(204);
    expect((await session.get('/api/admin/me')).status).toBe(401);
  });

  it('reports that setup is done once an admin exists and refuses a second setup', async () => {
    expect((await t.anonymous.get('/api/admin/setup')).body).toEqual({ needsSetup: false });
    const answer = await t.anonymous.post('/api/admin/setup', { username: 'intruder', password: 'intruder-pass' });
    expect(answer.status).toBe(409);
  });

  it('refuses a Host header that is not a loopback name (DNS rebinding)', async () => {
    // fetch() may not set Host, so this goes through node:http.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(t.cas.adminUrl);
      request({ host: url.hostname, port: url.port, path: '/healthz', headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(403);
  });
});

describe('roles', () => {
  it('lets an observer read but not write, and hides full tokens from it', async () => {
    const observer = await observerClient();
    await t.admin.post('/api/admin/accounts', { username: 'tokenholder', packages: ['basic'] });
    const list = await observer.get('/api/admin/accounts?q=tokenholder');
    expect(list.status).toBe(200);
    expect(list.body.items[0].token).toBeUndefined();
    expect(list.body.items[0].tokenPreview).toMatch(/…$/);
    const write = await observer.post('/api/admin/accounts', { username: 'sneaky' });
    expect(write.status).toBe(403);
    expect((await observer.patch('/api/admin/settings', { adminSessionHours: 2 })).status).toBe(403);
    expect((await observer.delete('/api/admin/packages/basic')).status).toBe(403);
  });
});

describe('accounts', () => {
  it('creates an account with a generated 32+ character token and its packages', async () => {
    const answer = await t.admin.post('/api/admin/accounts', {
      username: 'alice',
      password: 'alice-password',
      packages: ['basic', 'premium'],
      maxConnections: 2,
      expiresAt: '2030-01-01T00:00:00Z',
      allowedIps: ['10.0.0.5/8', '::ffff:192.168.1.7'],
      email: 'alice@example.com',
    });
    expect(answer.status).toBe(201);
    expect(answer.body.token.length).toBeGreaterThanOrEqual(32);
    expect(answer.body.packages).toEqual(['basic', 'premium']);
    expect(answer.body.allowedIps).toEqual(['10.0.0.0/8', '192.168.1.7/32']);
    expect(answer.body.hasPassword).toBe(true);
    expect(JSON.stringify(answer.body)).not.toContain('alice-password');
  });

  it('answers 409 for a duplicate username, case-insensitively', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'dupe' });
    const answer = await t.admin.post('/api/admin/accounts', { username: 'DUPE' });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'username_taken', params: { username: 'DUPE' }, field: 'username' });
  });

  it('answers 400 naming the field for bad input, and writes nothing', async () => {
    const cases: Array<[unknown, string, string, Record<string, string | number>]> = [
      [{ username: 'x' }, 'username', 'too_short', { min: 3 }],
      [{ username: 'valid-name', packages: ['no-such-package'] }, 'packages', 'unknown_package', { id: 'no-such-package' }],
      [{ username: 'valid-name', allowedIps: ['010.1.1.1'] }, 'allowedIps.0', 'invalid_ip_range', { range: '010.1.1.1' }],
      [{ username: 'valid-name', expiresAt: 'tomorrow' }, 'expiresAt', 'invalid_expiry', {}],
      [{ username: 'valid-name', maxConnections: -1 }, 'maxConnections', 'too_small', { min: 0 }],
      [{ username: 'valid-name', role: 'admin' }, 'password', 'password_required_for_operator', {}],
      [{ username: 'valid-name', token: 'short' }, 'token', 'too_short', {}],
      [{ username: 'valid-name', unknownField: 1 }, '', 'unrecognized_keys', { keys: 'unknownField' }],
    ];
    for (const [body, field, code, params] of cases) {
      const answer = await t.admin.post('/api/admin/accounts', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error, JSON.stringify(body)).toMatchObject({ code, params: { field: field || 'body', ...params } });
      if (field) expect(answer.body.error.field).toBe(field);
    }
    const list = await t.admin.get('/api/admin/accounts?q=valid-name');
    expect(list.body.total).toBe(0);
  });

  it('answers 400, not 500, for malformed JSON', async () => {
    const answer = await t.admin.request('POST', '/api/admin/accounts', '{"username":', {});
    expect(answer.status).toBe(400);
  });

  it('edits, regenerates the token, and deletes', async () => {
    const created = (await t.admin.post('/api/admin/accounts', { username: 'editme', packages: ['basic'] })).body;
    const edited = await t.admin.patch(`/api/admin/accounts/${created.id}`, { enabled: false, packages: ['premium'], comment: 'VIP' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ enabled: false, status: 'disabled', packages: ['premium'], comment: 'VIP' });
    const regenerated = await t.admin.post(`/api/admin/accounts/${created.id}/token`);
    expect(regenerated.body.token).not.toBe(created.token);
    expect((await t.admin.get(`/api/admin/accounts?token=${created.token}`)).body.total).toBe(0);
    expect((await t.admin.get(`/api/admin/accounts?token=${regenerated.body.token}`)).body.total).toBe(1);
    expect((await t.admin.delete(`/api/admin/accounts/${created.id}`)).status).toBe(204);
    expect((await t.admin.get(`/api/admin/accounts/${created.id}`)).status).toBe(404);
  });

  it('filters by text, package, role, status and token, and pages', async () => {
    for (let i = 0; i < 25; i++) {
      await t.admin.post('/api/admin/accounts', {
        username: `pager-${String(i).padStart(2, '0')}`,
        packages: i % 2 ? ['basic-plus'] : [],
        enabled: i !== 3,
        expiresAt: i === 4 ? new Date(t.clock.now() - 1000).toISOString() : null,
        comment: i === 7 ? 'hotel lobby screen' : '',
      });
    }
    const page2 = await t.admin.get('/api/admin/accounts?q=pager&pageSize=10&page=2');
    expect(page2.body.total).toBe(25);
    expect(page2.body.items.map((a: { username: string }) => a.username)[0]).toBe('pager-10');
    expect((await t.admin.get('/api/admin/accounts?q=lobby')).body.items[0].username).toBe('pager-07');
    expect((await t.admin.get('/api/admin/accounts?package=basic-plus&q=pager')).body.total).toBe(12);
    expect((await t.admin.get('/api/admin/accounts?status=disabled&q=pager')).body.items.map((a: any) => a.username)).toEqual(['pager-03']);
    expect((await t.admin.get('/api/admin/accounts?status=expired&q=pager')).body.items.map((a: any) => a.username)).toEqual(['pager-04']);
    expect((await t.admin.get('/api/admin/accounts?role=observer')).body.items.every((a: any) => a.role === 'observer')).toBe(true);
    expect((await t.admin.get('/api/admin/accounts?pageSize=100000')).status).toBe(400);
  });

  it('applies bulk actions in one go', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await t.admin.post('/api/admin/accounts', { username: `bulk-${i}`, expiresAt: '2030-01-01T00:00:00Z' })).body.id);
    }
    expect((await t.admin.post('/api/admin/accounts/bulk', { action: 'addPackage', ids, package: 'premium' })).body.affected).toBe(3);
    expect((await t.admin.post('/api/admin/accounts/bulk', { action: 'disable', ids })).body.affected).toBe(3);
    await t.admin.post('/api/admin/accounts/bulk', { action: 'extend', ids, days: 10 });
    const one = (await t.admin.get(`/api/admin/accounts/${ids[0]}`)).body;
    expect(one.packages).toEqual(['premium']);
    expect(one.enabled).toBe(false);
    expect(one.expiresAt).toBe('2030-01-11T00:00:00.000Z');
  });
});

describe('packages and channels', () => {
  it('starts with Basic, Basic+ and Premium', async () => {
    const ids = (await t.admin.get('/api/admin/packages')).body.map((p: { id: string }) => p.id).sort();
    expect(ids).toEqual(['basic', 'basic-plus', 'premium']);
  });

  it('creates channels in packages and lists them in number order', async () => {
    expect((await t.admin.post('/api/admin/channels', { id: 'travel-channel', name: 'Travel', number: 2, packages: ['basic'] })).status).toBe(201);
    await t.admin.post('/api/admin/channels', { id: 'news', name: 'News', number: 1, packages: ['basic', 'premium'] });
    const list = await t.admin.get('/api/admin/channels');
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual(['news', 'travel-channel']);
    expect(list.body.items[1].streamPath).toBe('/tv/travel-channel/index.m3u8');
    const basic = (await t.admin.get('/api/admin/packages/basic')).body;
    expect(basic.channels).toEqual(['news', 'travel-channel']);
    expect((await t.admin.post('/api/admin/channels', { id: 'News Channel', name: 'x' })).body.error.field).toBe('id');
    expect((await t.admin.post('/api/admin/channels', { id: 'news', name: 'again' })).status).toBe(409);
  });

  it('refuses to delete a package that accounts hold unless forced', async () => {
    await t.admin.post('/api/admin/packages', { id: 'sports', name: 'Sports' });
    await t.admin.post('/api/admin/accounts', { username: 'fan', packages: ['sports'] });
    expect((await t.admin.delete('/api/admin/packages/sports')).status).toBe(409);
    expect((await t.admin.request('DELETE', '/api/admin/packages/sports?force=true')).status).toBe(204);
    const fan = (await t.admin.get('/api/admin/accounts?q=fan')).body.items[0];
    expect(fan.packages).toEqual([]);
  });
});

describe('settings and audit', () => {
  it('changes settings and rejects unknown or invalid ones', async () => {
    expect((await t.admin.patch('/api/admin/settings', { adminSessionHours: 8 })).body.adminSessionHours).toBe(8);
    expect((await t.admin.patch('/api/admin/settings', { adminSessionHours: 0 })).status).toBe(400);
    expect((await t.admin.patch('/api/admin/settings', { noSuchSetting: 1 })).status).toBe(400);
  });

  it('records every admin write with who, what and target, and no secrets', async () => {
    const created = (await t.admin.post('/api/admin/accounts', { username: 'audited', password: 'audited-secret-pw' })).body;
    const audit = await t.admin.get(`/api/admin/audit?targetType=account&targetId=${created.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'account.create', actorName: 'admin', targetId: String(created.id) });
    const everything = JSON.stringify((await t.admin.get('/api/admin/audit?pageSize=500')).body);
    expect(everything).not.toContain('audited-secret-pw');
    expect(everything).not.toContain(created.token);
  });
});

describe('api keys', () => {
  it('shows a key once, lets a script use it with its scope, and stops it when revoked', async () => {
    const created = await t.admin.post('/api/admin/api-keys', { name: 'reporting', scopes: ['admin-read'] });
    expect(created.status).toBe(201);
    const script = t.anonymous.withToken(created.body.key);
    expect((await script.get('/api/admin/accounts')).status).toBe(200);
    expect((await script.post('/api/admin/accounts', { username: 'from-script' })).status).toBe(403);
    const listed = (await t.admin.get('/api/admin/api-keys')).body;
    expect(JSON.stringify(listed)).not.toContain(created.body.key);
    await t.admin.delete(`/api/admin/api-keys/${created.body.id}`);
    expect((await script.get('/api/admin/accounts')).status).toBe(401);
  });
});

describe('server', () => {
  it('answers /healthz on both listeners and serves an OpenAPI document', async () => {
    expect((await t.anonymous.get('/healthz')).body.status).toBe('ok');
    expect((await t.client.get('/healthz')).body.status).toBe('ok');
    const doc = (await t.anonymous.get('/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/admin/accounts'].post.requestBody.content['application/json'].schema.properties.username).toBeDefined();
  });

  it('keeps data across a restart', async () => {
    await t.admin.post('/api/admin/accounts', { username: 'survivor', packages: ['premium'] });
    t = await t.restart();
    const list = await t.admin.get('/api/admin/accounts?q=survivor');
    expect(list.body.items[0].packages).toEqual(['premium']);
  });
});
