import { describe, expect, it } from 'vitest';
import { aboutDetail, appMenuTemplate } from '../../src-main/electron/app-menu';
import { trayMenuTemplate, trayTooltip } from '../../src-main/electron/tray-menu';
import type { CasStatus } from '../../src-main/electron/cas-status';
import type { MenuItemConstructorOptions } from 'electron';

const noop = () => undefined;
const actions = { showAbout: noop, openDataFolder: noop, openApiReference: noop, quit: noop };

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

describe('application menu', () => {
  it('has the usual editing, zoom and window shortcuts on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const items = flatten(appMenuTemplate({ platform, devTools: false, actions }));
      const roles = items.map((item) => item.role).filter(Boolean);
      expect(roles).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'reload', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'minimize', 'close']));
      expect(items.find((item) => item.id === 'quit')?.accelerator).toBe('CmdOrCtrl+Q');
      expect(items.filter((item) => item.id === 'about')).toHaveLength(1);
    }
  });

  it('offers developer tools only in unpackaged builds', () => {
    const roles = (devTools: boolean) => flatten(appMenuTemplate({ platform: 'linux', devTools, actions })).map((item) => item.role);
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
  });

  it('runs the shell actions from its items', () => {
    const called: string[] = [];
    const items = flatten(
      appMenuTemplate({
        platform: 'linux',
        devTools: false,
        actions: { showAbout: () => called.push('about'), openDataFolder: () => called.push('folder'), openApiReference: () => called.push('api'), quit: () => called.push('quit') },
      }),
    );
    for (const id of ['about', 'open-data-folder', 'api-reference', 'quit']) (items.find((item) => item.id === id)!.click as () => void)();
    expect(called).toEqual(['about', 'folder', 'api', 'quit']);
  });

  it('lists every version in the About box', () => {
    const text = aboutDetail({ appVersion: '0.1.0', electron: '45.4.1', chrome: '142.0', node: '22.20.0', v8: '14.2', platform: 'linux x64' });
    for (const part of ['Version 0.1.0', 'Electron 45.4.1', 'Chromium 142.0', 'Node.js 22.20.0', 'V8 14.2', 'linux x64']) expect(text).toContain(part);
  });
});

describe('tray', () => {
  const running: CasStatus = { running: true, adminUrl: 'http://127.0.0.1:5050', apiUrl: 'http://127.0.0.1:8100', adminPort: 5050, apiPort: 8100, viewersNow: 12 };

  it('says the CAS runs, on which ports, for how many viewers', () => {
    expect(trayTooltip(running)).toBe('IPTV CAS Studio: running (admin 5050, API 8100) · Viewers now: 12');
    const labels = trayMenuTemplate(running, { openWindow: noop, openDataFolder: noop, quit: noop }).map((item) => item.label);
    expect(labels).toEqual(['CAS running', 'Admin port 5050 · client API port 8100', 'Viewers now: 12', undefined, 'Open IPTV CAS Studio', 'Open data folder', undefined, 'Quit (stops the CAS)']);
  });

  it('says when the CAS is stopped and does not pretend to know the viewers', () => {
    const stopped: CasStatus = { running: false, adminUrl: null, apiUrl: null, adminPort: null, apiPort: null, viewersNow: null };
    expect(trayTooltip(stopped)).toBe('IPTV CAS Studio: stopped');
    expect(trayMenuTemplate(stopped, { openWindow: noop, openDataFolder: noop, quit: noop })[0].label).toBe('CAS stopped');
  });

  it('opens the window and quits from its items', () => {
    const called: string[] = [];
    const items = trayMenuTemplate(running, { openWindow: () => called.push('open'), openDataFolder: () => called.push('folder'), quit: () => called.push('quit') });
    for (const id of ['open-window', 'open-data-folder', 'quit']) (items.find((item) => item.id === id)!.click as () => void)();
    expect(called).toEqual(['open', 'folder', 'quit']);
    expect(items.filter((item) => item.enabled === false)).toHaveLength(3);
  });
});
