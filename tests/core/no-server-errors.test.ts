import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestCas, type TestCas } from '../helpers/test-cas';

let t: TestCas;
beforeAll(async () => {
  t = await startTestCas();
});
afterAll(async () => {
  await t.dispose();
});

/**
 * Every route of both listeners (from the OpenAPI document), called signed in and not, with odd
 * path values, odd query values and malformed bodies: whatever a client sends, never a 5xx.
 */
it('answers every documented route with a 4xx, never a 5xx, for malformed input', async () => {
  const doc = (await t.anonymous.get('/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const bodies: unknown[] = [{}, [], 'text', 42, null, { id: {}, name: 5, username: ['a'], packages: 'basic', channels: [1], page: -1 }, { action: 'nope', ids: 'a' }];
  const pathValues = ['0', '-1', 'abc', '%00', '9999999999999999999', 'a'.repeat(300)];
  const query = `?page=abc&pageSize=-5&from=not-a-date&force=maybe&q=${encodeURIComponent('"*(')}`;
  const failures: string[] = [];
  let requests = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      for (const value of pathValues) {
        const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(value)) + query;
        for (const client of [t.admin, t.client]) {
          for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
            const answer = await client.request(method.toUpperCase(), url, body === undefined ? undefined : JSON.stringify(body));
            requests++;
            if (answer.status >= 500) failures.push(`${answer.status} ${method.toUpperCase()} ${url} ${JSON.stringify(body)}`);
          }
        }
      }
    }
  }
  expect(requests).toBeGreaterThan(1000);
  expect(failures).toEqual([]);
}, 120_000);
