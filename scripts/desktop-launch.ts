import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { desktopPaths } from '../src-main/electron/desktop-paths';

/** The Electron executable the electron package downloaded, or null when it is not there. */
export function installedElectronBinary(electronPackageDir: string): string | null {
  const pathFile = join(electronPackageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(electronPackageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** Tries the electron package's own download (quietly); true when the binary is there afterwards. */
export function fetchElectronBinary(electronPackageDir: string, timeoutMs = 180_000): boolean {
  const installer = join(electronPackageDir, 'install.js');
  if (!existsSync(installer)) return false;
  const result = spawnSync(process.execPath, [installer], { cwd: electronPackageDir, stdio: 'ignore', timeout: timeoutMs });
  return result.status === 0 && installedElectronBinary(electronPackageDir) !== null;
}

/**
 * Why the headless fallback must not use this user-data folder, or null when it may: a master
 * key kept by the desktop app (keychain or passphrase) cannot be read without Electron, and a
 * fresh `master.key` would not open the existing data.
 */
export function headlessRefusal(userData: string): string | null {
  const paths = desktopPaths(userData);
  const desktopKey = [paths.keychainKeyFile, paths.passphraseKeyFile].find((file) => existsSync(file));
  if (!desktopKey || existsSync(paths.plainKeyFile)) return null;
  return `The master key of ${paths.dataDir} is kept by the desktop app (${desktopKey}) and cannot be read headless; run the desktop app, or serve another data folder with: npx cas-studio serve --data-dir DIR`;
}

/** The command the fallback runs: the same CAS, headless, on the desktop app's data folder. */
export function headlessServeCommand(projectRoot: string, userData: string, extraArgs: readonly string[] = []): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: [join(projectRoot, 'bin', 'cas-studio.js'), 'serve', '--data-dir', desktopPaths(userData).dataDir, ...extraArgs],
  };
}
