import { join } from 'node:path';
import * as electron from 'electron';
import pino from 'pino';
import { createLogger } from '../kernel/logger';
import { runDesktopApp } from './desktop-app';

/**
 * Electron's main entry (package.json `main`): the desktop shell around the CAS core. Logs go to
 * the terminal (when started from one) and to `cas-studio.log` in the OS log folder of the app.
 */
const logFile = join(electron.app.getPath('logs'), 'cas-studio.log');
const logger = createLogger({
  destination: pino.multistream([{ stream: process.stdout }, { stream: pino.destination({ dest: logFile, mkdir: true, sync: false }) }]),
});
const desktop = runDesktopApp(electron, { logger, preloadPath: join(__dirname, 'preload.js') });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void desktop.quit());
