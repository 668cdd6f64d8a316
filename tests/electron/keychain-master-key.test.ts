import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCas } from '../../src-main/app/cas';
import { silentLogger } from '../../src-main/kernel/logger';
import { desktopPaths } from '../../src-main/electron/desktop-paths';
import { KeychainMasterKeyProvider, UnlockCancelledError, type PassphrasePrompt } from '../../src-main/electron/keychain-master-key';
import { unwrapKeyWithPassphrase, wrapKeyWithPassphrase, wrappedKeyFileSchema, WrongPassphraseError } from '../../src-main/electron/passphrase-key-wrap';
import { settingsSecretNames } from '../../src-shared/schemas/settings';
import { FakeSafeStorage } from './fake-electron';

const FAST_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup(options: { answers?: Array<string | null>; backend?: FakeSafeStorage['backend']; available?: boolean } = {}) {
  const userData = mkdtempSync(join(tmpdir(), 'cas-keychain-'));
  folders.push(userData);
  const paths = desktopPaths(userData);
  const safeStorage = new FakeSafeStorage();
  if (options.backend) safeStorage.backend = options.backend;
  if (options.available === false) safeStorage.available = false;
  const prompts: Array<{ purpose: string; retry: boolean }> = [];
  const answers = [...(options.answers ?? [])];
  const askPassphrase: PassphrasePrompt = (request) => {
    prompts.push(request);
    return Promise.resolve(answers.length > 0 ? answers.shift()! : null);
  };
  const provider = () => new KeychainMasterKeyProvider({ safeStorage, platform: 'linux', files: paths, askPassphrase, scryptParams: FAST_SCRYPT });
  return { paths, safeStorage, prompts, answers, provider };
}

describe('the desktop master key', () => {
  it('creates the key once, sealed by the keychain, and gives the same key at every start', async () => {
    const { paths, provider, safeStorage } = setup();
    const first = await provider().load();
    const second = await provider().load();
    expect(first.equals(second)).toBe(true);
    const sealed = readFileSync(paths.keychainKeyFile);
    expect(sealed.includes(Buffer.from(first.toString('hex')))).toBe(false);
    expect(safeStorage.sealedTexts).toEqual([first.toString('hex')]);
  });

  it('imports the plain master.key of a data folder first served headless, and removes the plain copy', async () => {
    const { paths, provider } = setup();
    const headless = await startCas({ dataDir: paths.dataDir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger(), bootstrapAdmin: { username: 'admin', password: 'admin-password-123' } });
    await headless.close();
    const plain = readFileSync(paths.plainKeyFile, 'utf8').trim();
    const desktopProvider = provider();
    const cas = await startCas({ dataDir: paths.dataDir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger(), masterKeyProvider: desktopProvider });
    try {
      expect((await desktopProvider.load()).toString('hex')).toBe(plain);
      expect(existsSync(paths.plainKeyFile)).toBe(false);
      const login = await fetch(`${cas.adminUrl}/api/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-123' }),
      });
      expect(login.status).toBe(200);
    } finally {
      await cas.close();
    }
  });

  it('reports a real keyring as such and the Linux basic_text backend as unprotected', async () => {
    expect(await setup({ backend: 'kwallet5' }).provider().status()).toMatchObject({ protection: 'keychain', backend: 'kwallet5', osKeychainAvailable: true });
    const weak = await setup({ backend: 'basic_text' }).provider().status();
    expect(weak).toMatchObject({ protection: 'unprotected', backend: 'basic_text', osKeychainAvailable: false });
    expect(weak.message).toMatch(/passphrase/);
  });

  it('re-wraps the key under a passphrase, asks for it at the next start and retries after a wrong one', async () => {
    const { paths, provider, prompts, answers } = setup({ backend: 'basic_text' });
    const original = await provider().load();
    expect((await provider().protectWithPassphrase('correct horse battery staple')).protection).toBe('passphrase');
    expect(existsSync(paths.keychainKeyFile)).toBe(false);
    const file = readFileSync(paths.passphraseKeyFile, 'utf8');
    expect(file).not.toContain(original.toString('hex'));
    expect(file).not.toContain(original.toString('base64'));
    answers.push('wrong passphrase here', 'correct horse battery staple');
    const unlocked = await provider().load();
    expect(unlocked.equals(original)).toBe(true);
    expect(prompts).toEqual([
      { purpose: 'unlock', retry: false },
      { purpose: 'unlock', retry: true },
    ]);
  });

  it('stops with UnlockCancelledError when the operator gives up on the passphrase', async () => {
    const { provider } = setup();
    await provider().protectWithPassphrase('correct horse battery staple');
    await expect(provider().load()).rejects.toBeInstanceOf(UnlockCancelledError);
  });

  it('asks the operator to choose a passphrase when the OS offers no encryption at all', async () => {
    const { paths, provider, prompts } = setup({ available: false, answers: ['a brand new passphrase'] });
    const key = await provider().load();
    expect(prompts).toEqual([{ purpose: 'choose', retry: false }]);
    expect(existsSync(paths.keychainKeyFile)).toBe(false);
    const wrapped = wrappedKeyFileSchema.parse(JSON.parse(readFileSync(paths.passphraseKeyFile, 'utf8')));
    expect((await unwrapKeyWithPassphrase(wrapped, 'a brand new passphrase')).equals(key)).toBe(true);
  });

  it('keeps a CAS readable across the switch from keychain to passphrase (the real vault opens its secrets)', async () => {
    const { paths, provider, answers } = setup();
    const start = (masterKeyProvider: KeychainMasterKeyProvider) =>
      startCas({ dataDir: paths.dataDir, adminPort: 0, apiPort: 0, apiHost: '127.0.0.1', logger: silentLogger(), masterKeyProvider });
    const first = await start(provider());
    const [secretName] = settingsSecretNames;
    expect(secretName).toBeDefined();
    first.ctx.settings.setSecret(secretName, 'a-secret-value-long-enough');
    await first.close();
    await provider().protectWithPassphrase('correct horse battery staple');
    answers.push('correct horse battery staple');
    const second = await start(provider());
    try {
      expect(second.ctx.settings.secret(secretName)?.current).toBe('a-secret-value-long-enough');
      expect(second.needsSetup).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe('passphrase key wrapping', () => {
  it('refuses a wrong passphrase and a tampered file alike', async () => {
    const key = Buffer.alloc(32, 7);
    const wrapped = await wrapKeyWithPassphrase(key, 'the right passphrase', FAST_SCRYPT);
    expect((await unwrapKeyWithPassphrase(wrapped, 'the right passphrase')).equals(key)).toBe(true);
    await expect(unwrapKeyWithPassphrase(wrapped, 'the wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    const flipped = Buffer.from(wrapped.wrappedKey, 'base64');
    flipped[0] ^= 1;
    await expect(unwrapKeyWithPassphrase({ ...wrapped, wrappedKey: flipped.toString('base64') }, 'the right passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('uses OWASP scrypt cost by default and rejects files demanding absurd memory', async () => {
    const wrapped = await wrapKeyWithPassphrase(Buffer.alloc(32, 1), 'the right passphrase');
    expect(wrapped).toMatchObject({ kdf: 'scrypt', N: 2 ** 17, r: 8, p: 1 });
    expect(wrappedKeyFileSchema.safeParse({ ...wrapped, N: 2 ** 30 }).success).toBe(false);
  });

  it('keeps the wrapped key file private to its owner and refuses a damaged one', async () => {
    const { paths, provider } = setup();
    await provider().protectWithPassphrase('correct horse battery staple');
    expect(statSync(paths.passphraseKeyFile).mode & 0o077).toBe(0);
    writeFileSync(paths.passphraseKeyFile, '{"version":1}');
    await expect(provider().load()).rejects.toThrow();
  });
});
