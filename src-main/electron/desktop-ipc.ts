import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import {
  desktopChannels,
  passphraseSchema,
  type DesktopAppInfo,
  type DesktopChannel,
  type KeychainStatus,
  type UnlockResult,
} from '../../src-shared/desktop-bridge';
import type { LoginResponse } from '../../src-shared/schemas/admin-auth';

/** What the main process answers over the bridge. */
interface DesktopIpcHandlers {
  appInfo(): DesktopAppInfo;
  openDataFolder(): Promise<void>;
  keychainStatus(): Promise<KeychainStatus>;
  protectWithPassphrase(passphrase: string): Promise<KeychainStatus>;
  desktopSession(): LoginResponse | null;
  unlock(passphrase: string): Promise<UnlockResult>;
}

/** A window allowed to call: its webContents id and the URLs its top frame may be on. */
interface TrustedSender {
  webContentsId: number;
  isTrustedUrl(url: string): boolean;
}

/** Which window may call which channel (looked up at each call: windows come and go). */
interface SenderPolicy {
  /** The dashboard window: every channel but `unlock`. */
  mainWindow(): TrustedSender | null;
  /** The passphrase window shown before the CAS starts: `unlock` only. */
  unlockWindow(): TrustedSender | null;
}

class IpcRefusedError extends Error {}

const noArguments = z.tuple([]);
const channelArguments: Record<DesktopChannel, z.ZodTuple> = {
  [desktopChannels.appInfo]: noArguments,
  [desktopChannels.openDataFolder]: noArguments,
  [desktopChannels.keychainStatus]: noArguments,
  [desktopChannels.desktopSession]: noArguments,
  [desktopChannels.protectWithPassphrase]: z.tuple([passphraseSchema]),
  [desktopChannels.unlock]: z.tuple([z.string().min(1).max(1024)]),
};

/** True when the call comes from the top frame of the trusted window, on one of its own pages. */
function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trusted: TrustedSender | null): boolean {
  const frame = event.senderFrame;
  if (!trusted || !frame || event.sender.id !== trusted.webContentsId) return false;
  if (frame.parent !== null) return false;
  return trusted.isTrustedUrl(frame.url);
}

/**
 * Registers the bridge's handlers. Each one first checks that the sender is the window allowed
 * on that channel, then validates the arguments with the channel's schema; anything else is
 * refused (the renderer's promise rejects) and the handler body never runs.
 */
export function registerDesktopIpc(ipcMain: Pick<IpcMain, 'handle'>, handlers: DesktopIpcHandlers, senders: SenderPolicy): void {
  const handle = <Args extends unknown[]>(channel: DesktopChannel, run: (...args: Args) => unknown) => {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const trusted = channel === desktopChannels.unlock ? senders.unlockWindow() : senders.mainWindow();
      if (!isTrustedSender(event, trusted)) throw new IpcRefusedError(`${channel}: refused for this sender`);
      const parsed = channelArguments[channel].safeParse(args);
      if (!parsed.success) throw new IpcRefusedError(`${channel}: ${parsed.error.issues[0]?.message ?? 'invalid arguments'}`);
      return run(...(parsed.data as Args));
    });
  };
  handle(desktopChannels.appInfo, () => handlers.appInfo());
  handle(desktopChannels.openDataFolder, () => handlers.openDataFolder());
  handle(desktopChannels.keychainStatus, () => handlers.keychainStatus());
  handle(desktopChannels.desktopSession, () => handlers.desktopSession());
  handle(desktopChannels.protectWithPassphrase, (passphrase: string) => handlers.protectWithPassphrase(passphrase));
  handle(desktopChannels.unlock, (passphrase: string) => handlers.unlock(passphrase));
}
