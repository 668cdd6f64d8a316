import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from './access-helpers';

let t: TestCas;
let viewer: any;

beforeAll(async () => {
  t = await startTestCas();
  await patchSettings(t, { securetokenSecret: 'playlist-securetoken-secret', sharingMaxAddresses: 0 });
  await t.admin.post('/api/admin/packages', { id: 'kids', name: 'Kids "Fun"' });
  await createChannel(t, { id: 'zeta', name: 'Zeta', number: 30, packages: ['basic'], logo: '/logos/zeta.png' });
  await createChannel(t, { id: 'alpha', name: 'Alpha', number: 10, packages: ['basic', 'premium'], logo: 'https://img.example/alpha.png', streamBaseUrl: 'http://astra.example:8000' });
  await createChannel(t, { id: 'cartoons', name: 'Cartoons', number: 20, packages: ['kids'], urlSigning: 'astra-id', streamBaseUrl: 'http://astra.example:8000' });
  await createChannel(t, { id: 'locked', name: 'Locked', number: 5, packages: ['premium'] });
  await createChannel(t, { id: 'dark', name: 'Dark', number: 1, packages: ['basic'], enabled: false });
  viewer = await createViewer(t, { packages: ['basic', 'kids'], password: 'playlist-password', maxConnections: 2 });
});
afterAll(async () => {
  await t.dispose();
});

describe('GET /playlist.m3u8', () => {
  it('lists the channels the account may watch in number order with tvg attributes and signed URLs', async () => {
    const answer = await t.client.get(`/playlist.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/vnd.apple.mpegurl');
    const lines = (answer.body as string).trim().split('\n');
    expect(lines[0]).toBe('#EXTM3U');
    const infos = lines.filter((l) => l.startsWith('#EXTINF'));
    expect(infos.map((l) => /tvg-id="([^"]+)"/.exec(l)![1])).toEqual(['alpha', 'cartoons', 'zeta']);
    expect(infos[0]).toBe('#EXTINF:-1 tvg-id="alpha" tvg-name="Alpha" tvg-logo="https://img.example/alpha.png" tvg-chno="10" group-title="Basic",Alpha');
    expect(infos[1]).toContain(`group-title="Kids 'Fun'"`);
    expect(infos[2]).toContain(`tvg-logo="${t.cas.apiUrl}/logos/zeta.png"`);
    const urls = lines.filter((l) => !l.startsWith('#'));
    // Scheme `token` writes a stream ticket for the account and channel, never the account token.
    expect(urls[0]).toMatch(new RegExp(`^http://astra\\.example:8000/tv/alpha/index\\.m3u8\\?ticket=s${viewer.id}\\.\\d+\\.[A-Za-z0-9_-]{22}$`));
    expect(urls[1]).toMatch(/^http:\/\/astra\.example:8000\/tv\/cartoons\/index\.m3u8\?token=[0-9a-f]{40}-[0-9a-f]{8}-\d+-\d+$/);
    // No base URL anywhere: the playlist host on Astra's default port.
    expect(urls[2]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:8000/tv/zeta/index\\.m3u8\\?ticket=s${viewer.id}\\.\\d+\\.[A-Za-z0-9_-]{22}$`));
    expect(answer.body).not.toContain(viewer.token);
  });

  it('accepts ?auth=login:password and gives the token-scheme URLs a stream ticket, not the account token', async () => {
    const answer = await t.client.get(`/playlist.m3u8?auth=${viewer.username}:playlist-password`);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain(`/tv/alpha/index.m3u8?ticket=s${viewer.id}.`);
    expect(answer.body).not.toContain(viewer.token);
  });

  it('uses the default stream base URL setting for channels without their own', async () => {
    await patchSettings(t, { defaultStreamBaseUrl: 'https://cdn.example/live/' });
    const answer = await t.client.get(`/playlist.m3u8?token=${viewer.token}`);
    expect(answer.body).toContain(`https://cdn.example/live/tv/zeta/index.m3u8?ticket=s${viewer.id}.`);
    expect(answer.body).toContain('http://astra.example:8000/tv/alpha/index.m3u8');
    await patchSettings(t, { defaultStreamBaseUrl: null });
  });

  it('refuses a missing or wrong credential with 401 and a disabled account with 403, naming the reason', async () => {
    const none = await t.client.get('/playlist.m3u8');
    expect(none.status).toBe(401);
    expect(none.body.error.reason).toBe('no_credential');
    const wrong = await t.client.get('/playlist.m3u8?token=this-is-not-a-valid-token-at-all');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.reason).toBe('bad_credential');
    const disabled = await createViewer(t, { packages: ['basic'], enabled: false });
    const refused = await t.client.get(`/playlist.m3u8?token=${disabled.token}`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.reason).toBe('disabled');
  });
});

describe('nginx auth_request backend', () => {
  const ask = (uri: string, ip = '192.0.2.50', extra: Record<string, string> = {}) =>
    t.client.get('/auth/nginx', { 'x-original-uri': uri, 'x-real-ip': ip, 'user-agent': 'hls-player/1', ...extra });

  it('finds the channel from the original URI and allows with 200', async () => {
    const answer = await ask(`/tv/alpha/index.m3u8?token=${viewer.token}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-cas-account')).toBe(viewer.username);
  });

  it('lets segment requests without the token ride on the viewer session of that channel', async () => {
    expect((await ask('/tv/alpha/seg-00001.ts')).status).toBe(200);
    expect((await ask('/tv/alpha/seg-00001.ts', '192.0.2.51')).status).toBe(401);
    expect((await ask('/tv/zeta/seg-00001.ts')).status).toBe(401);
  });

  it("reads the viewer's own Authorization header (Bearer token or Basic login:password) when the URI has no credential", async () => {
    const bearer = await ask('/tv/alpha/index.m3u8', '192.0.2.50', { authorization: `Bearer ${viewer.token}` });
    expect(bearer.status).toBe(200);
    expect(bearer.headers.get('x-cas-account')).toBe(viewer.username);
    const basic = Buffer.from(`${viewer.username}:playlist-password`).toString('base64');
    expect((await ask('/tv/alpha/index.m3u8', '192.0.2.50', { authorization: `Basic ${basic}` })).status).toBe(200);
    const entitledElsewhere = await ask('/tv/locked/index.m3u8', '192.0.2.50', { authorization: `Bearer ${viewer.token}` });
    expect(entitledElsewhere.headers.get('x-cas-reason')).toBe('not_entitled');
  });

  it('tells a segment request without a token why its session ended: disabled, not no_credential', async () => {
    const leaving = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    expect((await ask(`/tv/alpha/index.m3u8?token=${leaving.token}`, '192.0.2.57')).status).toBe(200);
    expect((await ask('/tv/alpha/seg-00002.ts', '192.0.2.57')).status).toBe(200);
    await t.admin.patch(`/api/admin/accounts/${leaving.id}`, { enabled: false });
    const after = await ask('/tv/alpha/seg-00003.ts', '192.0.2.57');
    expect(after.status).toBe(403);
    expect(after.headers.get('x-cas-reason')).toBe('disabled');
    // Enabled again, the ended session is not continued: the player needs its token again.
    await t.admin.patch(`/api/admin/accounts/${leaving.id}`, { enabled: true });
    expect((await ask('/tv/alpha/seg-00004.ts', '192.0.2.57')).headers.get('x-cas-reason')).toBe('no_credential');
    expect((await ask(`/tv/alpha/index.m3u8?token=${leaving.token}`, '192.0.2.57')).status).toBe(200);
  });

  it('answers 401 for a missing or wrong credential and 403 for other refusals', async () => {
    expect((await ask('/tv/locked/index.m3u8')).status).toBe(401);
    expect((await ask('/tv/alpha/index.m3u8?token=wrong-wrong-wrong-wrong-wrong-wrong')).status).toBe(401);
    const locked = await ask(`/tv/locked/index.m3u8?token=${viewer.token}`);
    expect(locked.status).toBe(403);
    expect(locked.headers.get('x-cas-reason')).toBe('not_entitled');
    // The channel comes from the path only: nginx copies the viewer's own X-Channel-ID into the subrequest.
    expect((await ask(`/tv/locked/index.m3u8?token=${viewer.token}`, '192.0.2.52', { 'x-channel-id': 'alpha' })).headers.get('x-cas-reason')).toBe('not_entitled');
  });

  it('decides only when the raw path is canonical and equals the path nginx serves (X-Original-Path)', async () => {
    const uri = `/tv/alpha/index.m3u8?token=${viewer.token}`;
    expect((await ask(uri, undefined, { 'x-original-path': '/tv/alpha/index.m3u8' })).status).toBe(200);
    const served = await ask(uri, undefined, { 'x-original-path': '/tv/locked/index.m3u8' });
    expect(served.status).toBe(403);
    expect(served.headers.get('x-cas-reason')).toBe('non_canonical_path');
    const dotted = await ask(`/tv/alpha/../locked/index.m3u8?token=${viewer.token}`);
    expect(dotted.headers.get('x-cas-reason')).toBe('non_canonical_path');
  });

  it('rejects a subrequest without X-Original-URI with a 400 naming the header', async () => {
    const answer = await t.client.get('/auth/nginx', { 'x-real-ip': '192.0.2.50' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('X-Original-URI');
  });
});

describe('Flussonic auth backend', () => {
  it('allows with X-UserId, X-Max-Sessions and X-AuthDuration, and tracks bytes on update_session (query and JSON)', async () => {
    const first = await t.client.get(
      `/auth/flussonic?name=alpha&ip=192.0.2.60&token=${viewer.token}&session_id=fs-1&request_type=new_session&request_number=1&proto=hls&user_agent=Lavf`,
    );
    expect(first.status, first.headers.get('x-cas-reason') ?? '').toBe(200);
    expect(first.headers.get('x-userid')).toBe(String(viewer.id));
    expect(first.headers.get('x-max-sessions')).toBe('2');
    expect(Number(first.headers.get('x-authduration'))).toBeGreaterThan(0);
    const update = await t.client.post('/auth/flussonic', {
      name: 'alpha',
      ip: '192.0.2.60',
      token: viewer.token,
      session_id: 'fs-1',
      request_type: 'update_session',
      request_number: 2,
      bytes: 123456,
      duration: 30,
    });
    expect(update.status).toBe(200);
    const sessions = await t.admin.get(`/api/admin/sessions?account=${viewer.id}&ip=192.0.2.60`);
    expect(sessions.body.items).toHaveLength(1);
    expect(sessions.body.items[0]).toMatchObject({ source: 'flussonic', bytes: 123456, requests: 2 });
  });

  it('reads auth=login:password from qs when there is no token, and denies with 403', async () => {
    const other = await createViewer(t, { packages: ['basic'], password: 'flussonic-password' });
    const ok = await t.client.get(`/auth/flussonic?name=alpha&ip=192.0.2.61&qs=${encodeURIComponent(`auth=${other.username}:flussonic-password`)}&session_id=fs-2`);
    expect(ok.status, ok.headers.get('x-cas-reason') ?? '').toBe(200);
    expect(ok.headers.has('x-max-sessions')).toBe(true);
    const denied = await t.client.get('/auth/flussonic?name=locked&ip=192.0.2.61&token=' + viewer.token);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-cas-reason')).toBe('not_entitled');
  });
});

describe('settings', () => {
  it('changes only the fields a patch names (defaults do not overwrite earlier changes)', async () => {
    await patchSettings(t, { sessionIdleSeconds: 321 });
    await patchSettings(t, { handoverSeconds: 7 });
    const view = await t.admin.get('/api/admin/settings');
    expect(view.body.sessionIdleSeconds).toBe(321);
    expect(view.body.handoverSeconds).toBe(7);
    expect(view.body.secrets.securetokenSecret).toMatchObject({ set: true });
    expect(JSON.stringify(view.body)).not.toContain('playlist-securetoken-secret');
  });
});
