import { z } from 'zod';
import type { LoginResponse } from './schemas/admin-auth';

/**
 * The typed API the desktop shell's preload exposes to the dashboard (and to its unlock page)
 * with `contextBridge.exposeInMainWorld(DESKTOP_BRIDGE_KEY, bridge)`. In a plain browser it is
 * absent: use `desktopBridgeIn(globalThis)` and fall back to the web behaviour when it is null.
 * Every call is an IPC round trip that the main process checks (sender and arguments).
 */
export const DESKTOP_BRIDGE_KEY = 'casDesktop';

/** IPC channel names, shared by the preload and the main process. */
export const desktopChannels = {
  appInfo: 'cas-desktop:app-info',
  openDataFolder: 'cas-desktop:open-data-folder',
  keychainStatus: 'cas-desktop:keychain-status',
  protectWithPassphrase: 'cas-desktop:protect-with-passphrase',
  desktopSession: 'cas-desktop:desktop-session',
  unlock: 'cas-desktop:unlock',
} as const;
export type DesktopChannel = (typeof desktopChannels)[keyof typeof desktopChannels];

export interface DesktopAppInfo {
  appName: string;
  appVersion: string;
  electronVersion: string;
  chromeVersion: string;
  nodeVersion: string;
  platform: string;
  dataDir: string;
  adminUrl: string;
  apiUrl: string;
}

/**
 * How the master key is protected on this machine.
 * - `keychain`: sealed by the OS keychain (Keychain, DPAPI, libsecret, KWallet).
 * - `passphrase`: wrapped with a key derived (scrypt) from the operator's passphrase.
 * - `unprotected`: Linux without a keyring (`basic_text`): the file is only obfuscated. The
 *   dashboard should say so and offer `protectWithPassphrase`.
 */
export type MasterKeyProtection = 'keychain' | 'passphrase' | 'unprotected';

export interface KeychainStatus {
  protection: MasterKeyProtection;
  /** Electron's storage backend name on Linux (`gnome_libsecret`, `kwallet5`, `basic_text`…), else the OS keychain's. */
  backend: string;
  /** True when the OS offers a real keyring (so passphrase protection is optional). */
  osKeychainAvailable: boolean;
  /** One sentence for the operator. */
  message: string;
}

export const PASSPHRASE_MIN_LENGTH = 12;
export const passphraseSchema = z
  .string()
  .min(PASSPHRASE_MIN_LENGTH, `At least ${PASSPHRASE_MIN_LENGTH} characters`)
  .max(1024, 'At most 1024 characters');

export type UnlockResult = { unlocked: true } | { unlocked: false; message: string };

export interface DesktopBridge {
  /** Versions and where things are, for the About box and the dashboard's system page. */
  appInfo(): Promise<DesktopAppInfo>;
  /** Opens the data folder in the system file manager. */
  openDataFolder(): Promise<void>;
  keychainStatus(): Promise<KeychainStatus>;
  /**
   * Re-wraps the master key under a passphrase (asked at every start from then on) and removes
   * the keychain-sealed copy. Rejects when the passphrase is too short.
   */
  protectWithPassphrase(passphrase: string): Promise<KeychainStatus>;
  /**
   * A signed-in admin session for the operator at this machine, or null when the setting
   * `desktopAutoLogin` is off or there is no enabled administrator yet.
   */
  desktopSession(): Promise<LoginResponse | null>;
  /** Only on the unlock page shown before the CAS starts: tries a passphrase. */
  unlock(passphrase: string): Promise<UnlockResult>;
}

/** The bridge if this page runs inside the desktop app, else null. */
export function desktopBridgeIn(scope: unknown): DesktopBridge | null {
  const candidate = (scope as Record<string, unknown> | null | undefined)?.[DESKTOP_BRIDGE_KEY];
  return candidate && typeof candidate === 'object' ? (candidate as DesktopBridge) : null;
}
