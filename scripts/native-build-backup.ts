import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { findNativeModules } from './native-abi';

/**
 * electron-builder rebuilds native modules in place in node_modules, for Electron's ABI; after
 * `npm run dist` the CLI, the headless server and the tests (all plain Node) could no longer load
 * better-sqlite3. This keeps a copy of the Node build and puts it back afterwards.
 */
export function backupNativeBuilds(moduleDir: string): { files: string[]; restore(): void } {
  const files = findNativeModules(moduleDir);
  const backupDir = mkdtempSync(join(tmpdir(), 'cas-native-backup-'));
  const copies = files.map((file, index) => {
    const copy = join(backupDir, `${index}-${basename(file)}`);
    copyFileSync(file, copy);
    return { file, copy };
  });
  let restored = false;
  return {
    files,
    restore() {
      if (restored) return;
      restored = true;
      // Copy over (not rename): the rebuilt file may be hard-linked elsewhere.
      for (const { file, copy } of copies) {
        rmSync(file, { force: true });
        copyFileSync(copy, file);
      }
      rmSync(backupDir, { recursive: true, force: true });
    },
  };
}
