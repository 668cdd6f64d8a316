import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/kernel/logger';
import { redactedPath, redactedQueryString } from '../../src-main/http/redact-url';
import { startTestCas, type TestCas } from '../helpers/test-cas';
import { createViewer } from '../access/access-helpers';

const PASSWORD = 'hunter2pass';
const SECURETOKEN = `${'ab12'.repeat(10)}-a5cd6c00-1796000746-1795989646`;

let t: TestCas;
let token: string;
let logged = '';

beforeAll(async () => {
  const capture = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logged += chunk.toString();
      callback();
    },
  });
  t = await startTestCas({ logger: createLogger({ level: "debug", destination: capture }) });
  const viewer = await createViewer(t, { password: PASSWORD, packages: [] });
  token = viewer.token as string;
});
afterAll(async () => {
  await t.dispose();
});

describe('request log redaction', () => {
  it('keeps every credential out of the log, whatever key or place carries it', async () => {
    const dodges = [
      `/playlist.m3u8?token%00=${token}`,
      `/playlist.m3u8?TOKEN=${token}`,
      `/playlist.m3u8?to%6ben=${token}`,
      `/playlist.m3u8?token[]=${token}`,
      `/playlist.m3u8?token=x&token=${token}`,
      `/playlist.m3u8?t=${token}`,
      `/playlist.m3u8;token=${token}`,
      `/hls/news/index.m3u8;token=${token}`,
      `/hls/news/${token}/index.m3u8`,
      `/playlist.m3u8?auth=someone:${PASSWORD}`,
      `/playlist.m3u8?a%75th=someone:${PASSWORD}`,
      `/playlist.m3u8?auth%00=someone:${PASSWORD}`,
      `/playlist.m3u8?pass%00word=${PASSWORD}`,
      `/playlist.m3u8?someone:${PASSWORD}`,
      `/playlist.m3u8?x=1;auth=someone:${PASSWORD}`,
      `/auth/flussonic?name=news&ip=192.0.2.1&qs=${encodeURIComponent(`u=${PASSWORD}`)}`,
      `/auth/astra?x=${SECURETOKEN}`,
    ];
    for (const path of dodges) await fetch(`${t.cas.apiUrl}${path}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const requestLines = logged.split('\n').filter((line) => line.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThanOrEqual(dodges.length);
    for (const secret of [token, PASSWORD, SECURETOKEN, token.slice(0, 16), SECURETOKEN.slice(0, 16)]) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).toContain('"path":"/playlist.m3u8"');
  });

  it('leaves ordinary paths and query values readable', () => {
    expect(redactedPath('/keys/live/1712345678')).toBe('/keys/live/1712345678');
    expect(redactedPath('/hls/premium-sports/seg-00042.ts')).toBe('/hls/premium-sports/seg-00042.ts');
    expect(redactedQueryString('channel=news&page=2&pageSize=50')).toBe('channel=news&page=2&pageSize=50');
    expect(redactedQueryString('token=abc&channel=news')).toBe('token=[redacted]&channel=news');
  });
});
