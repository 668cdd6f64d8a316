import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { desktopPaths, userDataDirFor } from '../../src-main/electron/desktop-paths';
import { fetchElectronBinary, headlessRefusal, headlessServeCommand, installedElectronBinary } from '../../scripts/desktop-launch';

const root = resolve(__dirname, '..', '..');
const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cas-launch-'));
  folders.push(dir);
  return dir;
}

describe('npm start', () => {
  it('finds the Electron binary the electron package downloaded, and nothing when it is missing', () => {
    const pkg = tempDir();
    expect(installedElectronBinary(pkg)).toBeNull();
    writeFileSync(join(pkg, 'path.txt'), 'electron');
    expect(installedElectronBinary(pkg)).toBeNull();
    mkdirSync(join(pkg, 'dist'));
    writeFileSync(join(pkg, 'dist', 'electron'), '');
    expect(installedElectronBinary(pkg)).toBe(join(pkg, 'dist', 'electron'));
  });

  it('counts a failed download as "cannot be fetched"', () => {
    const pkg = tempDir();
    expect(fetchElectronBinary(pkg)).toBe(false);
    writeFileSync(join(pkg, 'install.js'), 'process.exit(1)');
    expect(fetchElectronBinary(pkg)).toBe(false);
  });

  it('uses the same user-data folder Electron would, per platform', () => {
    expect(userDataDirFor('linux', {}, '/home/op')).toBe('/home/op/.config/IPTV CAS Studio');
    expect(userDataDirFor('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/op')).toBe('/cfg/IPTV CAS Studio');
    expect(userDataDirFor('darwin', {}, '/Users/op')).toBe('/Users/op/Library/Application Support/IPTV CAS Studio');
    expect(userDataDirFor('win32', { APPDATA: 'C:\\Users\\op\\AppData\\Roaming' }, 'C:\\Users\\op')).toContain('IPTV CAS Studio');
    expect(headlessServeCommand('/app', '/cfg/IPTV CAS Studio').args).toEqual(['/app/bin/cas-studio.js', 'serve', '--data-dir', '/cfg/IPTV CAS Studio/cas-data']);
  });

  it('refuses the headless fallback on a data folder whose key only the desktop app can read', () => {
    const userData = tempDir();
    expect(headlessRefusal(userData)).toBeNull();
    writeFileSync(desktopPaths(userData).keychainKeyFile, 'SEALED:');
    expect(headlessRefusal(userData)).toMatch(/kept by the desktop app/);
  });

  it('says in one line that Electron is missing and serves the same CAS headless, printing the dashboard URL', async () => {
    expect(existsSync(join(root, 'dist', 'src-main', 'cli', 'main.js')), 'run `npm run build:main` first').toBe(true);
    const config = tempDir();
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start-desktop.ts', '--admin-port', '0', '--api-port', '0', '--api-host', '127.0.0.1'],
      { cwd: root, env: { ...process.env, XDG_CONFIG_HOME: config, CAS_STUDIO_ELECTRON_PACKAGE: tempDir(), CAS_ADMIN_PASSWORD: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!/dashboard (http:\S+)/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no dashboard URL; output:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const lines = output.split('\n');
      expect(lines[0]).toBe('Electron binary missing and could not be downloaded: running the CAS headless instead.');
      const dashboard = /dashboard (http:\S+)/.exec(output)![1];
      expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/admin$/);
      expect((await fetch(new URL('/healthz', dashboard))).status).toBe(200);
      expect(existsSync(join(config, 'IPTV CAS Studio', 'cas-data', 'cas.db'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
  });
});
