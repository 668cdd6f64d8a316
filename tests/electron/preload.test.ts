import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DESKTOP_BRIDGE_KEY, desktopBridgeIn, desktopChannels, type DesktopBridge } from '../../src-shared/desktop-bridge';

const preloadSource = readFileSync(resolve(__dirname, '../../src-main/electron/preload.ts'), 'utf8');

/** Compiles the preload as the build does (CommonJS) and runs it with only what a sandboxed preload gets. */
function runPreload() {
  const { outputText } = ts.transpileModule(preloadSource, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  const required: string[] = [];
  const exposed = new Map<string, unknown>();
  const invocations: Array<{ channel: string; args: unknown[] }> = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => {
        invocations.push({ channel, args });
        return Promise.resolve(null);
      },
    },
  };
  const module = { exports: {} };
  runInNewContext(outputText, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
  });
  return { required, exposed, invocations };
}

describe('the preload', () => {
  it('requires nothing but electron, as a sandboxed preload must', () => {
    expect(runPreload().required).toEqual(['electron']);
  });

  it('exposes the typed bridge under the shared key, each call on its own channel with its own arguments', async () => {
    const { exposed, invocations } = runPreload();
    expect([...exposed.keys()]).toEqual([DESKTOP_BRIDGE_KEY]);
    const bridge = desktopBridgeIn({ [DESKTOP_BRIDGE_KEY]: exposed.get(DESKTOP_BRIDGE_KEY) }) as DesktopBridge;
    await bridge.appInfo();
    await bridge.openDataFolder();
    await bridge.keychainStatus();
    await bridge.protectWithPassphrase('a long passphrase');
    await bridge.desktopSession();
    await bridge.unlock('secret words');
    expect(invocations).toEqual([
      { channel: desktopChannels.appInfo, args: [] },
      { channel: desktopChannels.openDataFolder, args: [] },
      { channel: desktopChannels.keychainStatus, args: [] },
      { channel: desktopChannels.protectWithPassphrase, args: ['a long passphrase'] },
      { channel: desktopChannels.desktopSession, args: [] },
      { channel: desktopChannels.unlock, args: ['secret words'] },
    ]);
  });

  it('is absent in a plain browser, where the dashboard falls back to the web behaviour', () => {
    expect(desktopBridgeIn({})).toBeNull();
    expect(desktopBridgeIn(undefined)).toBeNull();
  });
});
