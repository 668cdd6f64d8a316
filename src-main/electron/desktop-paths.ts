import { join } from 'node:path';

/** The desktop app's name: Electron derives its user-data folder from it (package.json `productName`). */
export const DESKTOP_APP_NAME = 'IPTV CAS Studio';
/** The `appId` of electron-builder.yml (Windows AppUserModelID, macOS bundle id). */
export const DESKTOP_APP_ID = 'com.iptvcasstudio.desktop';

/** Where the desktop app keeps things, all under Electron's user-data folder. */
interface DesktopPaths {
  userData: string;
  /** The CAS data folder (`cas.db`), the same layout as `cas-studio serve --data-dir`. */
  dataDir: string;
  /** The master key sealed by the OS keychain through safeStorage. */
  keychainKeyFile: string;
  /** The master key wrapped under a key derived from the operator's passphrase. */
  passphraseKeyFile: string;
  /** A plain `master.key` a headless run left in the data folder (imported, then removed). */
  plainKeyFile: string;
  /** Small UI facts that must survive restarts (for example "close-to-tray was explained"). */
  stateFile: string;
}

export function desktopPaths(userData: string): DesktopPaths {
  const dataDir = join(userData, 'cas-data');
  return {
    userData,
    dataDir,
    keychainKeyFile: join(userData, 'master-key.keychain'),
    passphraseKeyFile: join(userData, 'master-key.passphrase.json'),
    plainKeyFile: join(dataDir, 'master.key'),
    stateFile: join(userData, 'desktop-state.json'),
  };
}

/**
 * The folder Electron's `app.getPath('userData')` names for this app, computed without Electron
 * (for the headless fallback of `npm start`): `appData/<app name>` with appData per platform.
 */
export function userDataDirFor(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string, appName = DESKTOP_APP_NAME): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', appName);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), appName);
}
