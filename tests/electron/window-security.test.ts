import { describe, expect, it } from 'vitest';
import {
  dashboardContentSecurityPolicy,
  isAllowedExternalUrl,
  lockNavigation,
  mainWindowOptions,
  unlockWindowOptions,
} from '../../src-main/electron/window-security';
import type { WebContents } from 'electron';
import { FakeWebContents } from './fake-electron';

describe('window security', () => {
  it('opens every window isolated, sandboxed and without Node, web security on', () => {
    for (const options of [mainWindowOptions({ preload: '/p.js', devTools: false }), unlockWindowOptions({ preload: '/p.js' })]) {
      expect(options.webPreferences).toMatchObject({
        preload: '/p.js',
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        devTools: false,
      });
      expect(options.show).toBe(false);
    }
  });

  it('allows scripts only from the dashboard itself and never frames or plugins', () => {
    const csp = dashboardContentSecurityPolicy('http://127.0.0.1:8100');
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toContain('http://127.0.0.1:8100');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('hands only plain http and https links to the system browser', () => {
    expect(isAllowedExternalUrl('https://example.org/a?b=c')).toBe(true);
    expect(isAllowedExternalUrl('http://192.168.1.10:8100/healthz')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'vlc://x', 'https://user:pw@example.org/', 'not a url', 'data:text/html,hi']) {
      expect(isAllowedExternalUrl(url)).toBe(false);
    }
  });

  it('refuses navigation and redirects off the app, new windows and webviews', () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    lockNavigation(contents as unknown as WebContents, { isAppUrl: (url) => url.startsWith('http://127.0.0.1:5050/'), openExternal: (url) => opened.push(url) });
    expect(contents.navigate('http://127.0.0.1:5050/admin/channels')).toBe(true);
    expect(contents.navigate('http://127.0.0.1:5051/admin')).toBe(false);
    expect(contents.navigate('http://evil.example/', 'will-redirect')).toBe(false);
    expect(contents.windowOpenHandler!({ url: 'http://127.0.0.1:5050/admin/popup' })).toEqual({ action: 'deny' });
    const webview = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    contents.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    // Navigations away open in the browser; redirects do not (the page did not ask for them).
    expect(opened).toEqual(['http://127.0.0.1:5051/admin']);
  });
});
