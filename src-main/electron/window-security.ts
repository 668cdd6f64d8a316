import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { dashboardCsp } from '../app/dashboard-static';

/**
 * The security settings of every window and session of the desktop app (after Electron's
 * security checklist): isolated, sandboxed renderers without Node, a strict CSP, navigation and
 * new windows locked to the app's own pages, permission requests denied.
 */

function secureWebPreferences(preload: string, devTools: boolean): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools,
  };
}

export function mainWindowOptions(options: { preload: string; icon?: string; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    title: 'IPTV CAS Studio',
    width: 1280,
    height: 820,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#10151f',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences(options.preload, options.devTools),
  };
}

/** The passphrase window shown before the CAS starts: small, modal-looking, same security. */
export function unlockWindowOptions(options: { preload: string; icon?: string }): BrowserWindowConstructorOptions {
  return {
    title: 'Unlock IPTV CAS Studio',
    width: 460,
    height: 340,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    show: false,
    backgroundColor: '#10151f',
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences(options.preload, false),
  };
}

/** Origin of a URL, or null for anything unparsable. (`data:` URLs have the opaque origin "null".) */
export function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The CSP the main process adds to every response from the admin origin: the dashboard's own
 * policy (scripts only from the admin listener; see server/dashboard-static.ts), applied by the
 * window even to responses the server sent without one.
 */
export function dashboardContentSecurityPolicy(apiOrigin: string): string {
  return dashboardCsp([apiOrigin]);
}

/** Links the app may hand to the system browser: http(s) only, never file:, javascript:, custom schemes. */
export function isAllowedExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.hostname !== '' && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

interface NavigationPolicy {
  /** True for the URLs this window may show itself (the dashboard's origin, the unlock page). */
  isAppUrl(url: string): boolean;
  /** Opens an allowed link in the system browser (`shell.openExternal`). */
  openExternal(url: string): void;
}

/**
 * Locks a window's contents: navigation and redirects stay on the app's pages, links elsewhere
 * go to the system browser (http/https only), new windows and <webview> are refused.
 */
export function lockNavigation(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, policy: NavigationPolicy): void {
  const sendAway = (url: string) => {
    if (isAllowedExternalUrl(url)) policy.openExternal(url);
  };
  contents.on('will-navigate', (event) => {
    if (policy.isAppUrl(event.url)) return;
    event.preventDefault();
    sendAway(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!policy.isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (!policy.isAppUrl(url)) sendAway(url);
    return { action: 'deny' };
  });
}

/** Refuses every permission (camera, microphone, notifications, geolocation…) to every page. */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * Adds the CSP to every response from the dashboard's origin. A policy the server sent stays as
 * well: the browser enforces both, so the window is never looser than the server meant.
 */
export function enforceContentSecurityPolicy(session: Pick<Session, 'webRequest'>, csp: { origin: string; policy: string }): void {
  session.webRequest.onHeadersReceived({ urls: [`${csp.origin}/*`] }, (details, callback) => {
    const headers: Record<string, string[]> = {};
    const serverPolicies: string[] = [];
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() === 'content-security-policy') serverPolicies.push(...value);
      else headers[name] = value;
    }
    headers['Content-Security-Policy'] = [...serverPolicies, csp.policy];
    callback({ responseHeaders: headers });
  });
}
