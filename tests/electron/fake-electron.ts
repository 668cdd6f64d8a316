import { EventEmitter } from 'node:events';
import type { DesktopElectron } from '../../src-main/electron/desktop-app';

/**
 * A test double of the few Electron APIs the desktop shell uses. It records what the shell asks
 * for (windows, URLs, menus, dialogs) and lets a test play the user and the OS (close a window,
 * launch a second instance, answer a dialog, call over IPC). The CAS core is never replaced.
 */

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextContentsId = 1;

export class FakeFrame {
  parent: FakeFrame | null = null;
  constructor(public url: string) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame = new FakeFrame('about:blank');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;

  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }

  /** Plays the renderer navigating; returns whether the shell let it happen. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const fake = new FakeEvent(url);
    this.emit(event, fake);
    return !fake.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  visible = false;
  focused = false;
  destroyed = false;
  minimized = false;

  constructor(readonly options: Record<string, any>) {
    super();
    FakeBrowserWindow.all.push(this);
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
  /** Plays the user closing the window: the shell may prevent it (close-to-tray). */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  tooltip = '';
  menu: { template: any[] } | null = null;
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    FakeTray.all.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { template: any[] } | null): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The label of a menu item by id. */
  item(id: string): any {
    return this.menu?.template.find((entry) => entry.id === id);
  }
}

export class FakeNotification {
  static supported = true;
  static shown: Array<{ title: string; body: string }> = [];
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  constructor(readonly options: { title: string; body: string }) {}
  show(): void {
    FakeNotification.shown.push(this.options);
  }
}

/** A keychain double: "seals" by XOR with a per-keychain byte and a marker, and says which backend it is. */
export class FakeSafeStorage {
  available = true;
  backend: 'basic_text' | 'gnome_libsecret' | 'kwallet5' | 'unknown' = 'gnome_libsecret';
  readonly sealedTexts: string[] = [];
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  }
  getSelectedStorageBackend() {
    return this.backend;
  }
  encryptStringAsync(plainText: string): Promise<Buffer> {
    if (!this.available) return Promise.reject(new Error('encryption not available'));
    this.sealedTexts.push(plainText);
    return Promise.resolve(Buffer.concat([Buffer.from('SEALED:'), Buffer.from(plainText).map((byte) => byte ^ 0x5a)]));
  }
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    if (!encrypted.subarray(0, 7).equals(Buffer.from('SEALED:'))) return Promise.reject(new Error('not sealed by this keychain'));
    return Promise.resolve({ result: Buffer.from(encrypted.subarray(7).map((byte) => byte ^ 0x5a)).toString(), shouldReEncrypt: false });
  }
}

export interface IpcCallOptions {
  contents: FakeWebContents;
  frameUrl?: string;
  subframe?: boolean;
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (event: any, ...args: unknown[]) => unknown>();
  handle(channel: string, handler: (event: any, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  /** Plays a renderer's `ipcRenderer.invoke` from a given window (and frame). */
  invoke(channel: string, from: IpcCallOptions, ...args: unknown[]): Promise<any> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`no handler for ${channel}`));
    const frame = new FakeFrame(from.frameUrl ?? from.contents.mainFrame.url);
    if (from.subframe) frame.parent = from.contents.mainFrame;
    // Like ipcMain: a throwing handler becomes a rejected invoke in the renderer.
    return Promise.resolve().then(() => handler({ sender: from.contents, senderFrame: frame }, ...args));
  }
}

export class FakeSession {
  permissionRequestHandler: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersFilter: { urls: string[] } | null = null;
  headersListener: ((details: any, callback: (response: any) => void) => void) | null = null;
  readonly webRequest = {
    onHeadersReceived: (filter: { urls: string[] }, listener: (details: any, callback: (response: any) => void) => void) => {
      this.headersFilter = filter;
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
}

export class FakeApp extends EventEmitter {
  isPackaged = false;
  singleInstanceLock = true;
  quitRequests = 0;
  quitted = false;
  readonly #ready: Promise<void>;
  #markReady!: () => void;

  constructor(
    readonly userData: string,
    readonly appPath: string,
  ) {
    super();
    this.#ready = new Promise((resolve) => (this.#markReady = resolve));
  }
  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`unexpected getPath(${name})`);
    return this.userData;
  }
  getAppPath(): string {
    return this.appPath;
  }
  getName(): string {
    return 'IPTV CAS Studio';
  }
  getVersion(): string {
    return '0.1.0';
  }
  appUserModelId: string | null = null;
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    return this.#ready;
  }
  /** Plays Electron becoming ready. */
  ready(): void {
    this.#markReady();
  }
  /** Like Electron: before-quit may be prevented; otherwise the app quits. */
  quit(): void {
    this.quitRequests += 1;
    const event = new FakeEvent();
    this.emit('before-quit', event);
    if (!event.defaultPrevented) this.quitted = true;
  }
}

export interface FakeElectron {
  electron: DesktopElectron;
  app: FakeApp;
  ipcMain: FakeIpcMain;
  safeStorage: FakeSafeStorage;
  session: FakeSession;
  dialogs: { messageBoxes: any[]; errorBoxes: Array<{ title: string; content: string }>; answers: number[] };
  shell: { openedPaths: string[]; openedExternal: string[] };
  applicationMenu: { template: any[] } | null;
}

export function createFakeElectron(userData: string, appPath: string): FakeElectron {
  FakeBrowserWindow.all = [];
  FakeTray.all = [];
  FakeNotification.shown = [];
  FakeNotification.supported = true;
  const app = new FakeApp(userData, appPath);
  const ipcMain = new FakeIpcMain();
  const safeStorage = new FakeSafeStorage();
  const session = new FakeSession();
  const dialogs: FakeElectron['dialogs'] = { messageBoxes: [], errorBoxes: [], answers: [] };
  const shell: FakeElectron['shell'] = { openedPaths: [], openedExternal: [] };
  const fake: FakeElectron = {
    app,
    ipcMain,
    safeStorage,
    session,
    dialogs,
    shell,
    applicationMenu: null,
    electron: undefined as unknown as DesktopElectron,
  };
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Notification: FakeNotification,
    Menu: {
      buildFromTemplate: (template: any[]) => ({ template }),
      setApplicationMenu: (menu: { template: any[] } | null) => {
        fake.applicationMenu = menu;
      },
    },
    dialog: {
      showMessageBox: (options: any) => {
        dialogs.messageBoxes.push(options);
        return Promise.resolve({ response: dialogs.answers.shift() ?? 0, checkboxChecked: false });
      },
      showErrorBox: (title: string, content: string) => {
        dialogs.errorBoxes.push({ title, content });
      },
    },
    shell: {
      openPath: (path: string) => {
        shell.openedPaths.push(path);
        return Promise.resolve('');
      },
      openExternal: (url: string) => {
        shell.openedExternal.push(url);
        return Promise.resolve();
      },
    },
    ipcMain,
    safeStorage,
    session: { defaultSession: session },
    nativeImage: { createFromPath: (path: string) => ({ path }) },
  };
  fake.electron = electron as unknown as DesktopElectron;
  return fake;
}
