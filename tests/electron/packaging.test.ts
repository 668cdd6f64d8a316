import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP_APP_ID } from '../../src-main/electron/desktop-paths';
import { checkNativeModuleAbi, electronAbiVersion, registeredModuleAbis, verifyPackagedAbi } from '../../scripts/native-abi';
import { backupNativeBuilds } from '../../scripts/native-build-backup';

const root = resolve(__dirname, '..', '..');
const sqliteAddon = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const electronAbi = electronAbiVersion(join(root, 'node_modules', 'electron'));

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A release folder laid out like electron-builder's linux-unpacked output, with the given addon inside. */
function fakeRelease(addon: string | null): string {
  const release = mkdtempSync(join(tmpdir(), 'cas-release-'));
  folders.push(release);
  const dir = join(release, 'linux-unpacked', 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release');
  mkdirSync(dir, { recursive: true });
  if (addon) copyFileSync(addon, join(dir, 'better_sqlite3.node'));
  return release;
}

function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own schema validation', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    // The validator does reject mistakes (so the pass above means something).
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, categry: 'Network' } as never }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration/);
  });

  it('names the product, unpacks native modules from the asar and targets AppImage, deb, NSIS and dmg', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    expect(config.productName).toBe('IPTV CAS Studio');
    expect(config.appId).toBe(DESKTOP_APP_ID);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/*.node']);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Network');
    expect((config.linux?.desktop as { entry: Record<string, string> }).entry.Categories).toContain('Network');
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg']);
    // getConfig normalises `files` into file sets.
    const files = (config.files as Array<{ filter: string[] }>).flatMap((set) => set.filter);
    expect(files).toEqual(expect.arrayContaining(['dist/src-main/**/*.js', 'dist/src-shared/**/*.js', 'dist/renderer/**/*', 'assets/**/*']));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/src-main/electron/main.js');
  });

  it('has icons of every size the targets need', async () => {
    const config = await getConfig(root, join(root, 'electron-builder.yml'), null);
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) {
      expect(pngSize(join(root, String(config.linux?.icon), `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    const ico = readFileSync(join(root, String(config.win?.icon)));
    expect(ico.readUInt16LE(2)).toBe(1); // ICO
    const icoSizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + i * 16] || 256);
    expect(icoSizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));
    const icns = readFileSync(join(root, String(config.mac?.icon)));
    expect(icns.subarray(0, 4).toString()).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    for (const tray of ['tray.png', 'tray@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png']) expect(existsSync(join(root, 'assets', tray))).toBe(true);
  });
});

describe('native module ABI check', () => {
  it('reads the ABI a V8 addon was built for from its registration symbol', () => {
    expect(registeredModuleAbis(Buffer.from('\0node_register_module_v140\0other'))).toEqual([140]);
    expect(registeredModuleAbis(Buffer.from('nothing here'))).toEqual([]);
  });

  it('reports the better-sqlite3 built for this Node as WRONG for Electron', () => {
    expect(electronAbi).not.toBe(Number(process.versions.modules));
    const check = checkNativeModuleAbi(sqliteAddon, electronAbi);
    expect(check.ok).toBe(false);
    expect(check.foundAbis).toEqual([Number(process.versions.modules)]);
    expect(check.message).toMatch(/^WRONG ABI/);
    expect(checkNativeModuleAbi(sqliteAddon, Number(process.versions.modules)).ok).toBe(true);
  });

  it('rejects a package whose unpacked better-sqlite3 has the wrong ABI, or none at all', () => {
    const wrong = verifyPackagedAbi(fakeRelease(sqliteAddon), electronAbi);
    expect(wrong.ok).toBe(false);
    expect(wrong.lines[0]).toContain('better_sqlite3.node');
    const empty = verifyPackagedAbi(fakeRelease(null), electronAbi);
    expect(empty.ok).toBe(false);
    expect(empty.lines[0]).toMatch(/No native module/);
    expect(verifyPackagedAbi(fakeRelease(sqliteAddon), Number(process.versions.modules)).ok).toBe(true);
  });
});

describe('npm run dist keeps the Node build of better-sqlite3', () => {
  it('puts back the native modules electron-builder rebuilt in place', () => {
    const moduleDir = tempBuildDir();
    const addon = join(moduleDir, 'Release', 'better_sqlite3.node');
    const backup = backupNativeBuilds(moduleDir);
    expect(backup.files).toEqual([addon]);
    writeFileSync(addon, 'rebuilt for electron: node_register_module_v140');
    backup.restore();
    expect(readFileSync(addon).equals(readFileSync(sqliteAddon))).toBe(true);
    expect(checkNativeModuleAbi(addon, Number(process.versions.modules)).ok).toBe(true);
  });
});

function tempBuildDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cas-native-'));
  folders.push(dir);
  mkdirSync(join(dir, 'Release'));
  copyFileSync(sqliteAddon, join(dir, 'Release', 'better_sqlite3.node'));
  return dir;
}
