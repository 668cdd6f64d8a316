/**
 * `npm run dist`: builds, packages the desktop app for this platform with electron-builder, then
 * verifies the packaged better-sqlite3 against Electron's ABI. Needs network (Electron zip,
 * Electron headers for the native rebuild, fpm and AppImage tools): see docs/desktop.md.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { electronAbiVersion, verifyPackagedAbi } from './native-abi';
import { backupNativeBuilds } from './native-build-backup';

const root = resolve(__dirname, '..');

class StepFailed extends Error {}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) throw new StepFailed(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function packageAndVerify(): void {
  run('npm', ['run', 'build']);
  // electron-builder rebuilds better-sqlite3 in node_modules for Electron; keep the Node build
  // that the CLI, the headless server and the tests load.
  const nodeBuilds = backupNativeBuilds(join(root, 'node_modules', 'better-sqlite3', 'build'));
  try {
    // A `nodedir` in ~/.npmrc makes node-gyp build against Node's headers while reporting success;
    // clear it for the packager so the rebuild uses Electron's. The ABI check below is the real guard.
    run('npx', ['electron-builder', '--config', 'electron-builder.yml', '--publish', 'never', ...process.argv.slice(2)], {
      ...process.env,
      npm_config_nodedir: '',
    });
  } finally {
    nodeBuilds.restore();
  }
  const expected = electronAbiVersion(join(root, 'node_modules', 'electron'));
  const result = verifyPackagedAbi(join(root, 'release'), expected);
  for (const line of result.lines) (result.ok ? console.log : console.error)(line);
  if (!result.ok) throw new StepFailed(`PACKAGE REJECTED: native modules do not match Electron's ABI ${expected}; do not ship release/.`);
  console.log(`Packaged app verified: native modules match Electron's ABI ${expected}.`);
}

try {
  packageAndVerify();
} catch (error) {
  if (!(error instanceof StepFailed)) throw error;
  console.error(`\n${error.message}`);
  process.exit(1);
}
