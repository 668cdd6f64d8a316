import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UNLOCK_SCRIPT_HASH, unlockPageUrl } from '../../src-main/electron/unlock-page';

function pageOf(url: string): string {
  expect(url.startsWith('data:text/html;charset=utf-8;base64,')).toBe(true);
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64').toString('utf8');
}

describe('the unlock page', () => {
  it('runs only its own script, pinned by hash in its CSP', () => {
    const html = pageOf(unlockPageUrl('unlock'));
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(1);
    expect(`sha256-${createHash('sha256').update(scripts[0]).digest('base64')}`).toBe(UNLOCK_SCRIPT_HASH);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src '${UNLOCK_SCRIPT_HASH}'`);
    expect(html).not.toMatch(/<script src|on(click|submit|load)=/);
  });

  it('asks to repeat a new passphrase but not an existing one', () => {
    expect(pageOf(unlockPageUrl('choose'))).toContain('id="confirm"');
    expect(pageOf(unlockPageUrl('unlock'))).not.toContain('id="confirm"');
  });
});
