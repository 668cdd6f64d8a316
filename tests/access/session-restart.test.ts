import { afterAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer, patchSettings } from './access-helpers';

let t: TestCas;

afterAll(async () => {
  await t.dispose();
});

describe('sessions across a restart', () => {
  it('keeps live sessions (and their slots) and ended-session bans when the CAS restarts', async () => {
    t = await startTestCas();
    await patchSettings(t, { overLimitPolicy: 'refuse-newest', sharingMaxAddresses: 0 });
    await createChannel(t, { id: 'one', name: 'One', packages: ['basic'] });
    const account = await createViewer(t, { packages: ['basic'], maxConnections: 1 });
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.19.0.1', channel: 'one', session: 'a' })).status).toBe(200);
    const kicked = await createViewer(t, { packages: ['basic'], maxConnections: 0 });
    await astra(t.client, `token=${kicked.token}`, { ip: '198.19.0.9', channel: 'one', session: 'k' });
    const session = (await t.admin.get(`/api/admin/sessions?account=${kicked.id}`)).body.items[0];
    expect((await t.admin.delete(`/api/admin/sessions/${session.id}`)).status).toBe(204);

    t = await t.restart();
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.19.0.2', channel: 'one', session: 'b' })).headers.get('x-cas-reason')).toBe('connection_limit');
    expect((await astra(t.client, `token=${account.token}`, { ip: '198.19.0.1', channel: 'one', session: 'a' })).status).toBe(200);
    expect((await astra(t.client, `token=${kicked.token}`, { ip: '198.19.0.9', channel: 'one', session: 'k' })).headers.get('x-cas-reason')).toBe('session_ended');
  });
});
