import type { MenuItemConstructorOptions } from 'electron';
import { DESKTOP_APP_NAME } from './desktop-paths';

interface AppMenuActions {
  showAbout(): void;
  openDataFolder(): void;
  openApiReference(): void;
  quit(): void;
}

interface AboutVersions {
  appVersion: string;
  electron: string;
  chrome: string;
  node: string;
  v8: string;
  platform: string;
}

/** The About box's text. */
export function aboutDetail(versions: AboutVersions): string {
  return [
    `Version ${versions.appVersion}`,
    '',
    `Electron ${versions.electron}`,
    `Chromium ${versions.chrome}`,
    `Node.js ${versions.node}`,
    `V8 ${versions.v8}`,
    `Platform ${versions.platform}`,
  ].join('\n');
}

/**
 * The application menu with the usual shortcuts (roles give each platform its own accelerators:
 * copy/paste, zoom, full screen, close, quit). Developer tools only in unpackaged builds.
 */
export function appMenuTemplate(options: { platform: NodeJS.Platform; devTools: boolean; actions: AppMenuActions }): MenuItemConstructorOptions[] {
  const { actions } = options;
  const mac = options.platform === 'darwin';
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${DESKTOP_APP_NAME}`, click: () => actions.showAbout() };
  const quit: MenuItemConstructorOptions = { id: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() };
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: DESKTOP_APP_NAME,
      submenu: [about, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, quit],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { id: 'open-data-folder', label: 'Open Data Folder', accelerator: 'CmdOrCtrl+Shift+D', click: () => actions.openDataFolder() },
        { type: 'separator' },
        { role: 'close', label: 'Close Window (keeps serving)' },
        ...(mac ? [] : [quit]),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' } as const, { role: 'front' } as const] : [])] },
    {
      role: 'help',
      submenu: [{ id: 'api-reference', label: 'API Reference (OpenAPI)', click: () => actions.openApiReference() }, ...(mac ? [] : [about])],
    },
  );
  return template;
}
