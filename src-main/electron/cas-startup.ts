import { openStore, startCas, type CasOptions, type RunningCas } from '../app/cas';
import type { MasterKeyProvider } from '../crypto/master-key';
import type { Logger } from '../kernel/logger';
import { PortInUseError } from '../http/http-server';

/** The listener settings the desktop app starts the CAS with. */
interface DesktopListenerSettings {
  adminPort: number;
  apiPort: number;
  apiHost: string;
}

/** Reads the desktop listener settings from the data folder's store (then closes it again). */
async function readListenerSettings(dataDir: string, masterKeyProvider: MasterKeyProvider, logger: Logger): Promise<DesktopListenerSettings> {
  const { ctx, db } = await openStore(dataDir, { masterKeyProvider, logger });
  try {
    const settings = ctx.settings.get();
    return { adminPort: settings.desktopAdminPort, apiPort: settings.desktopApiPort, apiHost: settings.desktopApiHost };
  } finally {
    db.close();
  }
}

/**
 * Asked when a port is taken: true to start that listener on any free port this time, false to
 * give up (the shell quits).
 */
type PortInUseChoice = (error: PortInUseError) => Promise<boolean>;

export interface DesktopCasOptions {
  dataDir: string;
  masterKeyProvider: MasterKeyProvider;
  logger: Logger;
  onPortInUse: PortInUseChoice;
  /** Tests start on ephemeral ports and loopback; the shell leaves it empty. */
  override?: Partial<Pick<CasOptions, 'adminPort' | 'apiPort' | 'apiHost' | 'clock'>>;
}

/**
 * Starts the embedded CAS the way `cas-studio serve` does, with the ports from the settings.
 * The admin listener stays on 127.0.0.1. When a port is taken the operator chooses between a
 * free port for this run and quitting; `PortInUseError` propagates when they quit.
 */
export async function startDesktopCas(options: DesktopCasOptions): Promise<RunningCas> {
  const settings = await readListenerSettings(options.dataDir, options.masterKeyProvider, options.logger);
  const ports = { adminPort: settings.adminPort, apiPort: settings.apiPort, apiHost: settings.apiHost, ...options.override };
  for (;;) {
    try {
      return await startCas({
        dataDir: options.dataDir,
        adminHost: '127.0.0.1',
        masterKeyProvider: options.masterKeyProvider,
        logger: options.logger,
        ...ports,
      });
    } catch (error) {
      if (!(error instanceof PortInUseError) || error.port === 0) throw error;
      if (!(await options.onPortInUse(error))) throw error;
      if (error.listener === 'admin') ports.adminPort = 0;
      else ports.apiPort = 0;
    }
  }
}

/** The dialog for a taken port: what happened, what it means, what the operator can do. */
export function portInUseMessage(error: PortInUseError): { message: string; detail: string; buttons: string[] } {
  const which = error.listener === 'admin' ? 'dashboard (admin API)' : 'client API';
  const consequence =
    error.listener === 'admin'
      ? 'Only this app uses that port, so any free port works.'
      : 'Streaming servers, packagers and players are configured with this port: on another port they cannot reach the CAS until you change it in Settings or free the port.';
  return {
    message: `Port ${error.port} for the ${which} is already in use`,
    detail: `Another program (or another copy of the CAS) listens on ${error.host}:${error.port}. ${consequence}`,
    buttons: ['Use a free port this time', 'Quit'],
  };
}
