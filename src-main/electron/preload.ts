/**
 * The sandboxed preload: the only bridge between the dashboard and the main process. A sandboxed
 * preload may require nothing but `electron` (and a few built-ins), so the shared module is
 * imported for its types only and the channel names are repeated here, checked by the compiler.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopBridge, desktopChannels as sharedChannels } from '../../src-shared/desktop-bridge';

const channels: typeof sharedChannels = {
  appInfo: 'cas-desktop:app-info',
  openDataFolder: 'cas-desktop:open-data-folder',
  keychainStatus: 'cas-desktop:keychain-status',
  protectWithPassphrase: 'cas-desktop:protect-with-passphrase',
  desktopSession: 'cas-desktop:desktop-session',
  unlock: 'cas-desktop:unlock',
};

// Each function passes exactly its own arguments: the page never gets ipcRenderer itself.
const bridge: DesktopBridge = {
  appInfo: () => ipcRenderer.invoke(channels.appInfo),
  openDataFolder: () => ipcRenderer.invoke(channels.openDataFolder),
  keychainStatus: () => ipcRenderer.invoke(channels.keychainStatus),
  protectWithPassphrase: (passphrase) => ipcRenderer.invoke(channels.protectWithPassphrase, passphrase),
  desktopSession: () => ipcRenderer.invoke(channels.desktopSession),
  unlock: (passphrase) => ipcRenderer.invoke(channels.unlock, passphrase),
};

contextBridge.exposeInMainWorld('casDesktop', bridge);
