import { describe, expect, it } from 'vitest';
import { canonicalPath } from '../../src-shared/net/canonical-path';
import { streamPathSchema } from '../../src-shared/schemas/channels';

describe('canonical request paths', () => {
  it('accepts the paths players and channels use', () => {
    for (const path of ['/', '/tv/news/index.m3u8', '/tv/news/', '/live/a001/seg-000017.ts', "/tv/a-b_c.d~!$&'()*+,=:@/x.ts", '/tv/news/.hidden', '/tv/news/...']) {
      expect(canonicalPath(path), path).toEqual({ ok: true, path });
    }
  });

  it('refuses every form an edge could read another way, naming the problem', () => {
    const refused: Array<[string, RegExp]> = [
      ['tv/news', /start with "\/"/],
      ['/tv/../news', /"\.\." segment/],
      ['/tv/./news', /"\." segment/],
      ['/tv//news', /empty segment/],
      ['/tv/%2e%2e/news', /percent-encoding/],
      ['/tv/news%2fx', /percent-encoding/],
      ['/tv/%252e%252e/x', /percent-encoding/],
      ['/tv/%c0%ae%c0%ae/x', /percent-encoding/],
      ['/tv/%00/x', /percent-encoding/],
      ['/tv\\news', /backslash/],
      ['/tv/news;jsessionid=1/x', /";" parameter/],
      ['/tv/new s', /U\+0020/],
      ['/tv/news\u0000', /U\+0000/],
      ['/tv/caf\u00e9', /U\+00E9/],
      ['/tv/news#x', /U\+0023/],
      [`/${'a'.repeat(2048)}`, /longer than/],
    ];
    for (const [path, problem] of refused) {
      const verdict = canonicalPath(path);
      expect(verdict.ok, path).toBe(false);
      if (!verdict.ok) expect(verdict.problem, path).toMatch(problem);
    }
  });

  it('accepts only canonical stream paths for channels', () => {
    expect(streamPathSchema.safeParse('/tv/news/index.m3u8').success).toBe(true);
    for (const path of ['/tv/a/../b/index.m3u8', '/tv/a%20b/index.m3u8', '/tv/a;b/index.m3u8', '/tv//a/index.m3u8']) {
      expect(streamPathSchema.safeParse(path).success, path).toBe(false);
    }
  });
});
