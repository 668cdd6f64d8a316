import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createChannel, createViewer, patchSettings } from './access-helpers';
import { MIDDLEWARE_BACKEND_PATHS } from '../../src-main/auth-backends/middleware-backends';

let t: TestCas;
let viewer: any;

beforeAll(async () => {
  t = await startTestCas();
  await createChannel(t, { id: 'news', name: 'News', number: 1, packages: ['basic'] });
  await createChannel(t, { id: 'movies', name: 'Movies', number: 2, packages: ['premium'] });
  viewer = await createViewer(t, { packages: ['basic'], maxConnections: 2 });
});
afterAll(async () => {
  await t.dispose();
});

/** What Astra and Alta send to an HTTP backend: the viewer's query, and who and what in headers. */
function asAstra(path: string, query: string, ip: string, channel: string) {
  return t.client.get(`${path}?${query}`, { 'x-real-ip': ip, 'x-channel-id': channel, 'x-real-path': `/${channel}/index.m3u8`, 'x-session-id': `s-${ip}` });
}

describe.each(Object.entries(MIDDLEWARE_BACKEND_PATHS))('the %s compatible backend path', (_middleware, path) => {
  it('answers Astra (headers) with the same decision as /auth/astra: 200 naming the user, 403 with the reason', async () => {
    const allowed = await asAstra(path, `token=${viewer.token}`, '192.0.2.30', 'news');
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-session-name')).toBe(viewer.username);
    const premium = await asAstra(path, `token=${viewer.token}`, '192.0.2.30', 'movies');
    expect(premium.status).toBe(403);
    expect(premium.headers.get('x-cas-reason')).toBe('not_entitled');
    const forged = await asAstra(path, 'token=not-a-token-of-this-cas-000000', '192.0.2.31', 'news');
    expect(forged.status).toBe(403);
    expect(forged.headers.get('x-cas-reason')).toBe('bad_credential');
  });

  it('answers Flussonic fields (query or JSON) as /auth/flussonic does: X-UserId, X-Max-Sessions, X-AuthDuration', async () => {
    const allowed = await t.client.get(`${path}?name=news&ip=192.0.2.32&token=${viewer.token}&session_id=f1&proto=hls`);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-userid')).toBe(String(viewer.id));
    expect(allowed.headers.get('x-max-sessions')).toBe('2');
    expect(Number(allowed.headers.get('x-authduration'))).toBeGreaterThan(0);
    const posted = await t.client.post(path, { name: 'movies', ip: '192.0.2.32', token: viewer.token, session_id: 'f2' });
    expect(posted.status).toBe(403);
    expect(posted.headers.get('x-cas-reason')).toBe('not_entitled');
  });

  it('refuses a request that is neither (no viewer address) and anyone who is not a registered streaming server', async () => {
    const bare = await t.client.get(`${path}?token=${viewer.token}`);
    expect(bare.status).toBe(403);
    expect(bare.headers.get('x-cas-reason')).toBe('bad_request');
    await patchSettings(t, { streamingServers: ['198.51.100.0/24'] });
    try {
      const stranger = await asAstra(path, `token=${viewer.token}`, '192.0.2.30', 'news');
      expect(stranger.status).toBe(403);
      expect(stranger.body.error.reason).toBe('not_streaming_server');
    } finally {
      await patchSettings(t, { streamingServers: ['127.0.0.1/32', '::1/128'] });
    }
  });
});
