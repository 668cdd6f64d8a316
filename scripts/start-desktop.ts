/**
 * `npm start` (after the build): launches the desktop app. Where the Electron binary is missing
 * and cannot be fetched, says so in one line and runs the same CAS headless on the desktop app's
 * data folder; `cas-studio serve` prints the dashboard URL.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { userDataDirFor } from '../src-main/electron/desktop-paths';
import { fetchElectronBinary, headlessRefusal, headlessServeCommand, installedElectronBinary } from './desktop-launch';

const root = resolve(__dirname, '..');
// CAS_STUDIO_ELECTRON_PACKAGE points at another electron package folder (tests use an empty one).
const electronDir = process.env.CAS_STUDIO_ELECTRON_PACKAGE || join(root, 'node_modules', 'electron');

function runForwardingExit(command: string, args: string[]): void {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const binary = installedElectronBinary(electronDir) ?? (fetchElectronBinary(electronDir) ? installedElectronBinary(electronDir) : null);
if (binary) {
  runForwardingExit(binary, [root, ...process.argv.slice(2)]);
} else {
  const userData = userDataDirFor(process.platform, process.env, homedir());
  console.log('Electron binary missing and could not be downloaded: running the CAS headless instead.');
  const refusal = headlessRefusal(userData);
  if (refusal) {
    console.error(refusal);
    process.exit(1);
  }
  // Arguments after `npm start --` go to `serve` here (for example `--admin-port 5051`).
  const { command, args } = headlessServeCommand(root, userData, process.argv.slice(2));
  runForwardingExit(command, args);
}
