import { afterAll, describe, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { astra, createChannel, createViewer } from './access-helpers';

let t: TestCas;
afterAll(async () => {
  await t.dispose();
});

describe('clean shutdown', () => {
  it('writes buffered access-log rows and sessions before the database closes', async () => {
    t = await startTestCas();
    await createChannel(t, { id: 'flush-news', name: 'News', packages: ['basic'] });
    const viewer = await createViewer(t, { packages: ['basic'] });
    const answer = await astra(t.client, `token=${viewer.token}`, { ip: '192.0.2.77', channel: 'flush-news', session: '77' });
    expect(answer.status).toBe(200);
    // Stop at once: the decision is still in the in-memory batch, not yet in SQLite.
    t = await t.restart();
    const log = await t.admin.get('/api/admin/access-log?ip=192.0.2.77');
    expect(log.body.total).toBe(1);
    expect(log.body.items[0].result).toBe('allow');
  });
});
