import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runDesktopApp, type DesktopApp } from '../../src-main/electron/desktop-app';
import { silentLogger } from '../../src-main/kernel/logger';
import { systemActor } from '../../src-main/kernel/actor';
import { desktopChannels } from '../../src-shared/desktop-bridge';
import { accountCreateSchema } from '../../src-shared/schemas/accounts';
import { HttpClient } from '../helpers/test-cas';
import { createFakeElectron, FakeBrowserWindow, FakeNotification, FakeTray, FakeWebContents, type FakeElectron } from './fake-electron';

const projectRoot = resolve(__dirname, '..', '..');
const PASSWORD = 'operator-password-for-tests';

interface Launched {
  fake: FakeElectron;
  desktop: DesktopApp;
  userData: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function launch(
  options: {
    userData?: string;
    apiPort?: number;
    portsFromSettings?: boolean;
    platform?: NodeJS.Platform;
    backend?: 'basic_text' | 'gnome_libsecret';
    lock?: boolean;
    answers?: number[];
  } = {},
): Launched {
  const userData = options.userData ?? mkdtempSync(join(tmpdir(), 'cas-desktop-'));
  const fake = createFakeElectron(userData, projectRoot);
  if (options.backend) fake.safeStorage.backend = options.backend;
  if (options.lock === false) fake.app.singleInstanceLock = false;
  fake.dialogs.answers.push(...(options.answers ?? []));
  const desktop = runDesktopApp(fake.electron, {
    logger: silentLogger(),
    preloadPath: '/app/dist/src-main/electron/preload.js',
    platform: options.platform ?? 'linux',
    versions: { ...process.versions, electron: '45.4.1', chrome: '142.0.0.0' },
    trayRefreshMs: 20,
    listenerOverride: options.portsFromSettings ? { apiHost: '127.0.0.1' } : { adminPort: 0, apiPort: options.apiPort ?? 0, apiHost: '127.0.0.1' },
    scryptParams: { N: 2 ** 14, r: 8, p: 1 },
  });
  cleanups.push(async () => {
    await desktop.quit();
    if (!options.userData) rmSync(userData, { recursive: true, force: true });
  });
  fake.app.ready();
  return { fake, desktop, userData };
}

async function launched(options: Parameters<typeof launch>[0] = {}): Promise<Launched> {
  const result = launch(options);
  await result.desktop.started;
  return result;
}

function mainWindowOf(desktop: DesktopApp): FakeBrowserWindow {
  const window = desktop.mainWindow as unknown as FakeBrowserWindow | null;
  if (!window) throw new Error('no main window');
  return window;
}

async function until<T>(probe: () => T | null | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function createAdmin(desktop: DesktopApp, username = 'operator'): Promise<number> {
  const input = accountCreateSchema.parse({ username, password: PASSWORD, role: 'admin' });
  const account = await desktop.cas!.services.accounts.create(input, systemActor);
  return account.id;
}

function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => done({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('desktop app lifecycle', () => {
  it('starts the CAS in the main process and shows its dashboard in a sandboxed, isolated window', async () => {
    const { desktop } = await launched();
    const cas = desktop.cas!;
    expect((await new HttpClient(cas.adminUrl).get('/healthz')).status).toBe(200);
    expect((await new HttpClient(cas.apiUrl).get('/healthz')).status).toBe(200);
    const window = mainWindowOf(desktop);
    expect(window.loadedUrl).toBe(`${cas.adminUrl}/admin`);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      preload: '/app/dist/src-main/electron/preload.js',
    });
    await until(() => window.visible, 'the window to show');
  });

  it('starts the listeners on the ports the settings name, at the next start', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'cas-desktop-'));
    cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
    const first = await launched({ userData });
    await createAdmin(first.desktop);
    const free = await Promise.all([occupyPort(), occupyPort()]);
    await Promise.all(free.map(({ server }) => new Promise((done) => server.close(done))));
    const anonymous = new HttpClient(first.desktop.cas!.adminUrl);
    const operator = anonymous.withToken((await anonymous.post('/api/admin/login', { username: 'operator', password: PASSWORD })).body.token);
    const patch = await operator.patch('/api/admin/settings', { desktopAdminPort: free[0].port, desktopApiPort: free[1].port });
    expect(patch.status).toBe(200);
    await first.desktop.quit();

    const second = await launched({ userData, portsFromSettings: true });
    expect(second.desktop.cas!.adminUrl).toBe(`http://127.0.0.1:${free[0].port}`);
    expect(second.desktop.cas!.apiUrl).toBe(`http://127.0.0.1:${free[1].port}`);
    expect(mainWindowOf(second.desktop).loadedUrl).toBe(`http://127.0.0.1:${free[0].port}/admin`);
  });

  it('keeps the master key sealed by the keychain in user data, with no plain key in the data folder', async () => {
    const { desktop, userData, fake } = await launched();
    const sealed = readFileSync(join(userData, 'master-key.keychain'));
    expect(sealed.subarray(0, 7).toString()).toBe('SEALED:');
    expect(fake.safeStorage.sealedTexts).toHaveLength(1);
    expect(sealed.includes(Buffer.from(fake.safeStorage.sealedTexts[0]))).toBe(false);
    expect(existsSync(join(desktop.cas!.ctx.runtime.dataDir, 'master.key'))).toBe(false);
    expect(desktop.cas!.ctx.runtime.dataDir).toBe(join(userData, 'cas-data'));
  });

  it('denies every permission request and adds the strict CSP to every dashboard response', async () => {
    const { fake, desktop } = await launched();
    const granted: boolean[] = [];
    fake.session.permissionRequestHandler!({}, 'media', (answer) => granted.push(answer));
    fake.session.permissionRequestHandler!({}, 'notifications', (answer) => granted.push(answer));
    expect(granted).toEqual([false, false]);
    expect(fake.session.permissionCheckHandler!()).toBe(false);
    expect(fake.session.headersFilter!.urls).toEqual([`${desktop.cas!.adminUrl}/*`]);
    let headers: Record<string, string[]> = {};
    fake.session.headersListener!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers['Content-Security-Policy']).toHaveLength(1);
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(headers['Content-Security-Policy'][0]).toContain(desktop.cas!.apiUrl);
    expect(headers['X-Other']).toEqual(['1']);
    // A policy the server sent is kept beside ours (both apply), never replaced by a looser one.
    fake.session.headersListener!({ responseHeaders: { 'content-security-policy': ["default-src 'none'"] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers['Content-Security-Policy']).toEqual(["default-src 'none'", expect.stringContaining("script-src 'self'")]);
  });

  it('keeps navigation on the dashboard origin and sends other http links to the system browser', async () => {
    const { fake, desktop } = await launched();
    const contents = mainWindowOf(desktop).webContents;
    expect(contents.navigate(`${desktop.cas!.adminUrl}/admin/accounts`)).toBe(true);
    expect(contents.navigate('https://example.org/help')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.windowOpenHandler!({ url: 'https://example.org/docs' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(fake.shell.openedExternal).toEqual(['https://example.org/help', 'https://example.org/docs']);
  });

  it('shows running, both ports and the viewers now in the tray', async () => {
    const { desktop } = await launched();
    const cas = desktop.cas!;
    const tray = FakeTray.all[0];
    const adminPort = new URL(cas.adminUrl).port;
    const apiPort = new URL(cas.apiUrl).port;
    expect(tray.tooltip).toContain(`admin ${adminPort}`);
    expect(tray.tooltip).toContain(`API ${apiPort}`);
    expect(tray.item('status').label).toBe('CAS running');
    expect(tray.item('ports').label).toBe(`Admin port ${adminPort} · client API port ${apiPort}`);
    expect(tray.item('viewers').label).toBe('Viewers now: 0');
    // A real viewer, admitted by the Astra backend on the client API, shows up in the tray.
    await createAdmin(desktop);
    const anonymous = new HttpClient(cas.adminUrl);
    const operator = anonymous.withToken((await anonymous.post('/api/admin/login', { username: 'operator', password: PASSWORD })).body.token);
    expect((await operator.post('/api/admin/channels', { id: 'news', name: 'News', number: 1, packages: ['basic'] })).status).toBe(201);
    const viewer = await operator.post('/api/admin/accounts', { username: 'viewer-1', packages: ['basic'], password: 'viewer-password-1', maxConnections: 0 });
    expect(viewer.status).toBe(201);
    const admitted = await new HttpClient(cas.apiUrl).get(`/auth/astra?token=${viewer.body.token}`, {
      'x-real-ip': '192.0.2.10',
      'x-channel-id': 'news',
      'x-session-id': '1',
      'x-real-path': '/news',
    });
    expect(admitted.status).toBe(200);
    await until(() => tray.item('viewers')?.label === 'Viewers now: 1', 'the tray to count the viewer');
  });

  it('keeps serving in the tray when the window closes and says so only once', async () => {
    const { desktop, userData } = await launched();
    const window = mainWindowOf(desktop);
    window.show();
    window.close();
    expect(window.destroyed).toBe(false);
    expect(window.visible).toBe(false);
    expect((await new HttpClient(desktop.cas!.adminUrl).get('/healthz')).status).toBe(200);
    desktop.showMainWindow();
    window.close();
    expect(FakeNotification.shown).toHaveLength(1);
    expect(FakeNotification.shown[0].body).toMatch(/keeps serving/);
    expect(JSON.parse(readFileSync(join(userData, 'desktop-state.json'), 'utf8'))).toEqual({ closeToTrayExplained: true });
  });

  it('focuses the existing window when the app is launched a second time', async () => {
    const { desktop, fake } = await launched();
    const window = mainWindowOf(desktop);
    window.close();
    window.minimized = true;
    fake.app.emit('second-instance');
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);
    expect(window.minimized).toBe(false);
  });

  it('leaves at once, without starting a CAS, when another copy holds the single-instance lock', async () => {
    const { desktop, fake } = await launched({ lock: false });
    expect(fake.app.quitted).toBe(true);
    expect(desktop.cas).toBeNull();
    expect(FakeBrowserWindow.all).toHaveLength(0);
  });

  it('shuts the CAS down cleanly before the app exits', async () => {
    const { desktop, fake } = await launched();
    const adminUrl = desktop.cas!.adminUrl;
    const window = mainWindowOf(desktop);
    fake.app.quit();
    await until(() => fake.app.quitted, 'the app to quit');
    expect(fake.app.quitRequests).toBe(2);
    expect(desktop.cas).toBeNull();
    expect(FakeTray.all[0].destroyed).toBe(true);
    await expect(fetch(`${adminUrl}/healthz`)).rejects.toThrow();
    window.close();
    expect(window.destroyed).toBe(true);
  });

  it('gives Windows its app id (for notifications), ICO window icon and tray icon', async () => {
    const { desktop, fake } = await launched({ platform: 'win32' });
    expect(fake.app.appUserModelId).toBe('com.iptvcasstudio.desktop');
    expect(mainWindowOf(desktop).options.icon).toBe(join(projectRoot, 'assets', 'icon.ico'));
    expect(existsSync(mainWindowOf(desktop).options.icon as string)).toBe(true);
    expect(FakeTray.all[0].image).toEqual({ path: join(projectRoot, 'assets', 'tray.png') });
  });

  it('shows the versions in the About box from the application menu', async () => {
    const { fake } = await launched();
    const help = fake.applicationMenu!.template.find((menu) => menu.role === 'help');
    help.submenu.find((item: { id?: string }) => item.id === 'about').click();
    const about = fake.dialogs.messageBoxes.at(-1);
    expect(about.detail).toContain('Version 0.1.0');
    expect(about.detail).toContain('Electron 45.4.1');
    expect(about.detail).toContain(`Node.js ${process.versions.node}`);
  });
});

describe('a port that is already taken', () => {
  it('asks, and starts the client API on a free port when the operator chooses so', async () => {
    const { server, port } = await occupyPort();
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const { desktop, fake } = await launched({ apiPort: port, answers: [0] });
    expect(fake.dialogs.messageBoxes[0].message).toBe(`Port ${port} for the client API is already in use`);
    expect(fake.dialogs.messageBoxes[0].buttons).toEqual(['Use a free port this time', 'Quit']);
    const apiPort = Number(new URL(desktop.cas!.apiUrl).port);
    expect(apiPort).not.toBe(port);
    expect((await new HttpClient(desktop.cas!.apiUrl).get('/healthz')).status).toBe(200);
  });

  it('closes a CAS that finishes starting after the operator quit, and opens no window', async () => {
    const { server, port } = await occupyPort();
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const userData = mkdtempSync(join(tmpdir(), 'cas-desktop-'));
    cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
    const fake = createFakeElectron(userData, projectRoot);
    let answer!: (response: { response: number }) => void;
    (fake.electron.dialog as { showMessageBox: unknown }).showMessageBox = () => new Promise((resolve) => (answer = resolve));
    const desktop = runDesktopApp(fake.electron, {
      logger,
      preloadPath: '/preload.js',
      listenerOverride: { adminPort: 0, apiPort: port, apiHost: '127.0.0.1' },
    });
    fake.app.ready();
    await until(() => answer, 'the port dialog');
    fake.app.quit();
    answer({ response: 0 });
    await desktop.started;
    await until(() => fake.app.quitted, 'the app to quit');
    expect(desktop.cas).toBeNull();
    expect(FakeBrowserWindow.all).toHaveLength(0);
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('CAS listening');
    expect(messages.at(-1)).toBe('CAS stopped');
  });

  it('quits without a window when the operator chooses to quit', async () => {
    const { server, port } = await occupyPort();
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const { desktop, fake } = await launched({ apiPort: port, answers: [1] });
    await until(() => fake.app.quitted, 'the app to quit');
    expect(desktop.cas).toBeNull();
    expect(FakeBrowserWindow.all).toHaveLength(0);
  });
});

describe('the bridge to the dashboard', () => {
  it('answers the main window with versions and opens the data folder', async () => {
    const { desktop, fake } = await launched();
    const contents = mainWindowOf(desktop).webContents;
    const info = await fake.ipcMain.invoke(desktopChannels.appInfo, { contents });
    expect(info).toMatchObject({ appVersion: '0.1.0', electronVersion: '45.4.1', adminUrl: desktop.cas!.adminUrl, dataDir: desktop.cas!.ctx.runtime.dataDir });
    await fake.ipcMain.invoke(desktopChannels.openDataFolder, { contents });
    expect(fake.shell.openedPaths).toEqual([desktop.cas!.ctx.runtime.dataDir]);
  });

  it('refuses calls from another window, a subframe or a page of another origin', async () => {
    const { desktop, fake } = await launched();
    const contents = mainWindowOf(desktop).webContents;
    await expect(fake.ipcMain.invoke(desktopChannels.openDataFolder, { contents: new FakeWebContents(), frameUrl: `${desktop.cas!.adminUrl}/admin` })).rejects.toThrow(/refused/);
    await expect(fake.ipcMain.invoke(desktopChannels.openDataFolder, { contents, subframe: true })).rejects.toThrow(/refused/);
    await expect(fake.ipcMain.invoke(desktopChannels.openDataFolder, { contents, frameUrl: 'https://evil.example/admin' })).rejects.toThrow(/refused/);
    await expect(fake.ipcMain.invoke(desktopChannels.unlock, { contents }, 'some passphrase')).rejects.toThrow(/refused/);
    expect(fake.shell.openedPaths).toEqual([]);
  });

  it('refuses calls with unexpected arguments before doing anything', async () => {
    const { desktop, fake, userData } = await launched();
    const contents = mainWindowOf(desktop).webContents;
    await expect(fake.ipcMain.invoke(desktopChannels.openDataFolder, { contents }, '/etc')).rejects.toThrow();
    await expect(fake.ipcMain.invoke(desktopChannels.protectWithPassphrase, { contents }, 'short')).rejects.toThrow(/At least 12/);
    await expect(fake.ipcMain.invoke(desktopChannels.protectWithPassphrase, { contents }, { passphrase: 'long enough passphrase' })).rejects.toThrow();
    expect(fake.shell.openedPaths).toEqual([]);
    expect(existsSync(join(userData, 'master-key.passphrase.json'))).toBe(false);
  });

  it('hands a working admin session to the desktop only when desktopAutoLogin is on', async () => {
    const { desktop, fake } = await launched();
    const contents = mainWindowOf(desktop).webContents;
    expect(await fake.ipcMain.invoke(desktopChannels.desktopSession, { contents })).toBeNull();
    await createAdmin(desktop);
    expect(await fake.ipcMain.invoke(desktopChannels.desktopSession, { contents })).toBeNull();

    const anonymous = new HttpClient(desktop.cas!.adminUrl);
    const login = await anonymous.post('/api/admin/login', { username: 'operator', password: PASSWORD });
    const operator = anonymous.withToken(login.body.token);
    expect((await operator.patch('/api/admin/settings', { desktopAutoLogin: true })).status).toBe(200);

    const session = await fake.ipcMain.invoke(desktopChannels.desktopSession, { contents });
    expect(session.user).toMatchObject({ username: 'operator', role: 'admin' });
    expect((await anonymous.withToken(session.token).get('/api/admin/settings')).status).toBe(200);
  });
});

describe('the master key without a system keyring', () => {
  it('tells the dashboard it is unprotected, and asks for the chosen passphrase at the next start', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'cas-desktop-'));
    cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
    const first = await launched({ userData, backend: 'basic_text' });
    const contents = mainWindowOf(first.desktop).webContents;
    expect(await first.fake.ipcMain.invoke(desktopChannels.keychainStatus, { contents })).toMatchObject({
      protection: 'unprotected',
      backend: 'basic_text',
      osKeychainAvailable: false,
    });
    await createAdmin(first.desktop);
    const status = await first.fake.ipcMain.invoke(desktopChannels.protectWithPassphrase, { contents }, 'correct horse battery staple');
    expect(status.protection).toBe('passphrase');
    expect(existsSync(join(userData, 'master-key.keychain'))).toBe(false);
    await first.desktop.quit();

    const second = launch({ userData, backend: 'basic_text' });
    const unlockWindow = await until(() => FakeBrowserWindow.all.find((w) => w.loadedUrl?.startsWith('data:text/html')), 'the unlock window');
    expect(second.fake.session.permissionRequestHandler, 'permissions are denied before the unlock page loads').not.toBeNull();
    expect(unlockWindow.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(unlockWindow.webContents.navigate('https://example.org/')).toBe(false);
    const from = { contents: unlockWindow.webContents };
    expect(await second.fake.ipcMain.invoke(desktopChannels.unlock, from, 'wrong passphrase!!')).toEqual({ unlocked: false, message: 'Wrong passphrase. Try again.' });
    expect(await second.fake.ipcMain.invoke(desktopChannels.unlock, from, 'correct horse battery staple')).toEqual({ unlocked: true });
    await second.desktop.started;
    expect(unlockWindow.destroyed).toBe(true);
    const login = await new HttpClient(second.desktop.cas!.adminUrl).post('/api/admin/login', { username: 'operator', password: PASSWORD });
    expect(login.status).toBe(200);
  });

  it('quits without starting the CAS when the operator closes the unlock window', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'cas-desktop-'));
    cleanups.push(() => rmSync(userData, { recursive: true, force: true }));
    const first = await launched({ userData, backend: 'basic_text' });
    await first.fake.ipcMain.invoke(desktopChannels.protectWithPassphrase, { contents: mainWindowOf(first.desktop).webContents }, 'correct horse battery staple');
    await first.desktop.quit();

    const second = launch({ userData, backend: 'basic_text' });
    const unlockWindow = await until(() => FakeBrowserWindow.all.find((w) => w.loadedUrl?.startsWith('data:text/html')), 'the unlock window');
    unlockWindow.close();
    await second.desktop.started;
    await until(() => second.fake.app.quitted, 'the app to quit');
    expect(second.desktop.cas).toBeNull();
    expect(second.fake.dialogs.errorBoxes).toEqual([]);
  });
});
