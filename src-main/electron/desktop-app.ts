import { join } from 'node:path';
import type * as ElectronModule from 'electron';
import type { BrowserWindow, Tray } from 'electron';
import type { RunningCas } from '../app/cas';
import type { Logger } from '../kernel/logger';
import { PortInUseError } from '../http/http-server';
import type { DesktopAppInfo } from '../../src-shared/desktop-bridge';
import { aboutDetail, appMenuTemplate } from './app-menu';
import { casStatusOf } from './cas-status';
import { portInUseMessage, startDesktopCas, type DesktopCasOptions } from './cas-startup';
import { registerDesktopIpc } from './desktop-ipc';
import { DESKTOP_APP_ID, desktopPaths } from './desktop-paths';
import { desktopSessionFor } from './desktop-session';
import { DesktopStateFile } from './desktop-state';
import { KeychainMasterKeyProvider, UnlockCancelledError } from './keychain-master-key';
import { PassphraseGate } from './passphrase-gate';
import { trayMenuTemplate, trayTooltip } from './tray-menu';
import { unlockPageUrl, type UnlockPurpose } from './unlock-page';
import {
  dashboardContentSecurityPolicy,
  denyAllPermissions,
  enforceContentSecurityPolicy,
  isAllowedExternalUrl,
  lockNavigation,
  mainWindowOptions,
  originOf,
  unlockWindowOptions,
} from './window-security';

/** The parts of the `electron` module the shell uses: the seam tests replace with a double. */
export type DesktopElectron = Pick<
  typeof ElectronModule,
  'app' | 'BrowserWindow' | 'Menu' | 'Tray' | 'dialog' | 'shell' | 'ipcMain' | 'safeStorage' | 'session' | 'nativeImage' | 'Notification'
>;

interface DesktopAppOptions {
  logger: Logger;
  /** The compiled preload (`preload.js` beside this file). */
  preloadPath: string;
  platform?: NodeJS.Platform;
  versions?: NodeJS.ProcessVersions;
  /** How often the tray status refreshes. */
  trayRefreshMs?: number;
  /** Tests only: ephemeral ports on loopback, a fast scrypt. */
  listenerOverride?: DesktopCasOptions['override'];
  scryptParams?: ConstructorParameters<typeof KeychainMasterKeyProvider>[0]['scryptParams'];
}

export interface DesktopApp {
  /** The running CAS, or null before it started / after quit. */
  readonly cas: RunningCas | null;
  readonly mainWindow: BrowserWindow | null;
  readonly tray: Tray | null;
  /** Resolves when the CAS serves and the window is created (or the app gave up and quits). */
  readonly started: Promise<void>;
  showMainWindow(): void;
  /** Stops the CAS cleanly, then quits Electron. */
  quit(): Promise<void>;
}

const CLOSE_TO_TRAY_NOTICE = 'IPTV CAS Studio keeps serving in the background. Quit it from the tray icon or the menu.';

/**
 * The desktop app's lifecycle: single instance, master key (keychain or passphrase), the CAS
 * started in this process, the locked-down dashboard window, tray and menus, close-to-tray and a
 * clean quit. Everything Electron comes in through `electron` so it can be tested with a double.
 */
export function runDesktopApp(electron: DesktopElectron, options: DesktopAppOptions): DesktopApp {
  const { app, dialog, shell, Menu } = electron;
  const logger = options.logger;
  const platform = options.platform ?? process.platform;
  const versions = options.versions ?? process.versions;
  const devTools = !app.isPackaged;
  const assetsDir = join(app.getAppPath(), 'assets');
  const windowIcon = platform === 'win32' ? join(assetsDir, 'icon.ico') : join(assetsDir, 'icons', '512x512.png');
  const trayIcon = join(assetsDir, platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
  const paths = desktopPaths(app.getPath('userData'));
  const state = new DesktopStateFile(paths.stateFile);

  let cas: RunningCas | null = null;
  let mainWindow: BrowserWindow | null = null;
  let unlockWindow: BrowserWindow | null = null;
  let unlockUrl: string | null = null;
  let tray: Tray | null = null;
  let trayTimer: NodeJS.Timeout | null = null;
  let quitting = false;
  let stopping: Promise<void> | null = null;
  /** Set while the CAS is starting, so a quit meanwhile waits for it and then closes it. */
  let casStarting: Promise<unknown> | null = null;
  let stopped = false;

  const openDataFolder = async () => {
    const failure = await shell.openPath(paths.dataDir);
    if (failure) logger.warn({ failure }, 'could not open the data folder');
  };
  const openExternal = (url: string) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  };

  const gate = new PassphraseGate({
    show: (purpose: UnlockPurpose) => {
      if (unlockWindow) return;
      unlockUrl = unlockPageUrl(purpose);
      const url = unlockUrl;
      const window = new electron.BrowserWindow(unlockWindowOptions({ preload: options.preloadPath, icon: windowIcon }));
      unlockWindow = window;
      lockNavigation(window.webContents, { isAppUrl: (candidate) => candidate === url, openExternal });
      window.on('closed', () => {
        unlockWindow = null;
        unlockUrl = null;
        gate.cancel();
      });
      window.once('ready-to-show', () => window.show());
      void window.loadURL(url);
    },
    close: () => unlockWindow?.destroy(),
  });

  const keyProvider = new KeychainMasterKeyProvider({
    safeStorage: electron.safeStorage,
    platform,
    files: paths,
    askPassphrase: gate.ask,
    scryptParams: options.scryptParams,
  });

  const appInfo = (): DesktopAppInfo => {
    if (!cas) throw new Error('The CAS is not running');
    return {
      appName: app.getName(),
      appVersion: app.getVersion(),
      electronVersion: versions.electron ?? 'unknown',
      chromeVersion: versions.chrome ?? 'unknown',
      nodeVersion: versions.node,
      platform: `${platform} ${process.arch}`,
      dataDir: paths.dataDir,
      adminUrl: cas.adminUrl,
      apiUrl: cas.apiUrl,
    };
  };

  registerDesktopIpc(
    electron.ipcMain,
    {
      appInfo,
      openDataFolder,
      keychainStatus: () => keyProvider.status(),
      protectWithPassphrase: (passphrase) => keyProvider.protectWithPassphrase(passphrase),
      desktopSession: () => (cas ? desktopSessionFor(cas) : null),
      unlock: (passphrase) => gate.submit(passphrase),
    },
    {
      mainWindow: () => {
        const origin = cas ? originOf(cas.adminUrl) : null;
        if (!mainWindow || mainWindow.isDestroyed() || !origin) return null;
        return { webContentsId: mainWindow.webContents.id, isTrustedUrl: (url) => originOf(url) === origin };
      },
      unlockWindow: () => {
        const url = unlockUrl;
        if (!unlockWindow || unlockWindow.isDestroyed() || !url) return null;
        return { webContentsId: unlockWindow.webContents.id, isTrustedUrl: (candidate) => candidate === url };
      },
    },
  );

  const showAbout = () => {
    void dialog.showMessageBox({
      type: 'info',
      title: `About ${app.getName()}`,
      message: app.getName(),
      detail: aboutDetail({
        appVersion: app.getVersion(),
        electron: versions.electron ?? 'unknown',
        chrome: versions.chrome ?? 'unknown',
        node: versions.node,
        v8: versions.v8,
        platform: `${platform} ${process.arch}`,
      }),
      buttons: ['OK'],
    });
  };

  const explainCloseToTrayOnce = () => {
    if (state.read().closeToTrayExplained) return;
    state.update({ closeToTrayExplained: true });
    if (electron.Notification.isSupported()) {
      new electron.Notification({ title: app.getName(), body: CLOSE_TO_TRAY_NOTICE }).show();
    } else {
      void dialog.showMessageBox({ type: 'info', message: 'Still serving', detail: CLOSE_TO_TRAY_NOTICE, buttons: ['OK'] });
    }
  };

  const createMainWindow = (running: RunningCas) => {
    const origin = originOf(running.adminUrl)!;
    const window = new electron.BrowserWindow(mainWindowOptions({ preload: options.preloadPath, icon: windowIcon, devTools }));
    mainWindow = window;
    lockNavigation(window.webContents, { isAppUrl: (url) => originOf(url) === origin, openExternal });
    window.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      window.hide();
      explainCloseToTrayOnce();
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    window.once('ready-to-show', () => window.show());
    void window.loadURL(`${running.adminUrl}/admin`);
  };

  const showMainWindow = () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };

  const refreshTray = () => {
    if (!tray) return;
    const status = casStatusOf(cas);
    tray.setToolTip(trayTooltip(status));
    tray.setContextMenu(
      Menu.buildFromTemplate(trayMenuTemplate(status, { openWindow: showMainWindow, openDataFolder: () => void openDataFolder(), quit: () => void quit() })),
    );
  };

  const createTray = () => {
    tray = new electron.Tray(electron.nativeImage.createFromPath(trayIcon));
    tray.on('click', showMainWindow);
    refreshTray();
    trayTimer = setInterval(refreshTray, options.trayRefreshMs ?? 5000);
    trayTimer.unref();
  };

  /** Stops the tray and the CAS, once; the quit proceeds afterwards. */
  const stopEverything = () =>
    (stopping ??= (async () => {
      quitting = true;
      if (trayTimer) clearInterval(trayTimer);
      trayTimer = null;
      await casStarting?.catch(() => undefined);
      const running = cas;
      cas = null;
      if (running) {
        try {
          await running.close();
          logger.info('CAS stopped');
        } catch (error) {
          logger.error({ err: error }, 'CAS shutdown failed');
        }
      }
      tray?.destroy();
      tray = null;
      stopped = true;
    })());

  const quit = async () => {
    await stopEverything();
    app.quit();
  };

  const fail = (title: string, error: unknown) => {
    logger.error({ err: error }, title);
    dialog.showErrorBox(title, error instanceof Error ? error.message : String(error));
    void quit();
  };

  const start = async () => {
    await app.whenReady();
    // Before any window exists (the unlock window included).
    denyAllPermissions(electron.session.defaultSession);
    // Windows shows notifications (the close-to-tray notice) only for an app with this id.
    if (platform === 'win32') app.setAppUserModelId(DESKTOP_APP_ID);
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        appMenuTemplate({
          platform,
          devTools,
          actions: {
            showAbout,
            openDataFolder: () => void openDataFolder(),
            openApiReference: () => cas && openExternal(`${cas.adminUrl}/api/openapi.json`),
            quit: () => void quit(),
          },
        }),
      ),
    );
    try {
      await keyProvider.load();
      gate.finish();
    } catch (error) {
      gate.finish({ unlocked: false, message: 'The master key could not be loaded.' });
      if (error instanceof UnlockCancelledError) return void quit();
      return fail('The master key could not be loaded', error);
    }
    let running: RunningCas;
    try {
      const starting = startDesktopCas({
        dataDir: paths.dataDir,
        masterKeyProvider: keyProvider,
        logger,
        override: options.listenerOverride,
        onPortInUse: async (error) => {
          const text = portInUseMessage(error);
          const answer = await dialog.showMessageBox({ type: 'warning', title: 'Port in use', ...text, defaultId: 0, cancelId: 1, noLink: true });
          return answer.response === 0;
        },
      }).then((started) => (cas = started));
      casStarting = starting;
      running = await starting;
    } catch (error) {
      if (error instanceof PortInUseError) return void quit();
      return fail('The CAS could not start', error);
    } finally {
      casStarting = null;
    }
    // A quit while starting closes the CAS (stopEverything waited for it): no window then.
    if (quitting) return;
    const adminOrigin = originOf(running.adminUrl)!;
    enforceContentSecurityPolicy(electron.session.defaultSession, {
      origin: adminOrigin,
      policy: dashboardContentSecurityPolicy(originOf(running.apiUrl)!),
    });
    createMainWindow(running);
    createTray();
    logger.info({ admin: running.adminUrl, api: running.apiUrl }, 'desktop app serving');
  };

  let started: Promise<void>;
  if (!app.requestSingleInstanceLock()) {
    // Another copy is running: it focuses its window (second-instance); this one leaves.
    quitting = true;
    app.quit();
    started = Promise.resolve();
  } else {
    app.on('second-instance', showMainWindow);
    app.on('activate', showMainWindow);
    // Closing windows never quits: the CAS keeps serving in the tray.
    app.on('window-all-closed', () => undefined);
    // Every way of quitting (menu, Cmd+Q, OS logout) waits for the CAS to close first.
    app.on('before-quit', (event) => {
      quitting = true;
      if (stopped) return;
      event.preventDefault();
      void quit();
    });
    started = start().catch((error: unknown) => fail('The desktop app could not start', error));
  }

  return {
    get cas() {
      return cas;
    },
    get mainWindow() {
      return mainWindow;
    },
    get tray() {
      return tray;
    },
    started,
    showMainWindow,
    quit,
  };
}
