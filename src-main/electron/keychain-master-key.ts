import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SafeStorage } from 'electron';
import { FileMasterKeyProvider, generateMasterKey, MasterKeyMissingError, type LoadMasterKeyOptions, type MasterKeyProvider } from '../crypto/master-key';
import { passphraseSchema, type KeychainStatus } from '../../src-shared/desktop-bridge';
import {
  DEFAULT_SCRYPT_PARAMS,
  unwrapKeyWithPassphrase,
  wrapKeyWithPassphrase,
  wrappedKeyFileSchema,
  WrongPassphraseError,
  type ScryptParams,
} from './passphrase-key-wrap';

/** The part of Electron's `safeStorage` the provider uses (async API only: the sync one is deprecated). */
type SafeStorageApi = Pick<SafeStorage, 'encryptStringAsync' | 'decryptStringAsync' | 'isAsyncEncryptionAvailable' | 'getSelectedStorageBackend'>;

/**
 * Asks the operator for a passphrase: `unlock` an existing wrapped key, or `choose` one when the
 * OS offers no keychain at all. `retry` is true after a wrong one. Null means the operator gave up.
 */
export type PassphrasePrompt = (request: { purpose: 'unlock' | 'choose'; retry: boolean }) => Promise<string | null>;

export class UnlockCancelledError extends Error {
  constructor() {
    super('The master key was not unlocked');
  }
}

interface KeychainMasterKeyOptions {
  safeStorage: SafeStorageApi;
  platform: NodeJS.Platform;
  files: { keychainKeyFile: string; passphraseKeyFile: string; plainKeyFile: string };
  askPassphrase: PassphrasePrompt;
  scryptParams?: ScryptParams;
}

function writeFileAtomically(file: string, data: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, data, { mode: 0o600 });
  renameSync(temp, file);
}

/**
 * The desktop master key: sealed by the OS keychain (Electron `safeStorage`) in a file in user
 * data, or wrapped under the operator's passphrase where there is no real keyring. The key is
 * kept in memory once loaded, so the shell can open the store twice (settings, then the CAS)
 * without asking twice.
 */
export class KeychainMasterKeyProvider implements MasterKeyProvider {
  readonly description = 'desktop keychain (safeStorage) or passphrase';
  #key: Buffer | null = null;

  constructor(private readonly options: KeychainMasterKeyOptions) {}

  /** What protects the key now; the dashboard shows it and offers a passphrase when it is weak. */
  async status(): Promise<KeychainStatus> {
    const backend = this.#backendName();
    const osKeychainAvailable = backend !== 'basic_text' && backend !== 'unknown' && (await this.options.safeStorage.isAsyncEncryptionAvailable());
    if (existsSync(this.options.files.passphraseKeyFile)) {
      return { protection: 'passphrase', backend, osKeychainAvailable, message: 'The master key is protected by your passphrase, asked at every start.' };
    }
    if (!osKeychainAvailable) {
      return {
        protection: 'unprotected',
        backend,
        osKeychainAvailable,
        message: 'No system keyring was found: the master key is only obfuscated on disk. Choose a passphrase to protect it.',
      };
    }
    return { protection: 'keychain', backend, osKeychainAvailable, message: `The master key is sealed by the system keychain (${backend}).` };
  }

  async load(options: LoadMasterKeyOptions = {}): Promise<Buffer> {
    this.#key ??= await this.#loadFromDisk(options);
    return Buffer.from(this.#key);
  }

  /** Stores a new master key under the current protection (re-keying). */
  async store(key: Buffer): Promise<void> {
    if (key.length !== 32) throw new Error('The master key must be 32 bytes');
    if (existsSync(this.options.files.passphraseKeyFile)) {
      throw new Error('Re-keying a passphrase-protected master key needs the passphrase: use protectWithPassphrase');
    }
    await this.#sealWithKeychain(key);
    this.#key = Buffer.from(key);
  }

  /** Re-wraps the master key under a passphrase and removes the keychain-sealed copy. */
  async protectWithPassphrase(passphrase: string): Promise<KeychainStatus> {
    const valid = passphraseSchema.parse(passphrase);
    const key = await this.load();
    try {
      await this.#wrapWithPassphrase(key, valid);
    } finally {
      key.fill(0);
    }
    rmSync(this.options.files.keychainKeyFile, { force: true });
    return this.status();
  }

  #backendName(): string {
    switch (this.options.platform) {
      case 'linux':
        return this.options.safeStorage.getSelectedStorageBackend();
      case 'darwin':
        return 'macOS Keychain';
      case 'win32':
        return 'Windows DPAPI';
      default:
        return this.options.platform;
    }
  }

  async #loadFromDisk(options: LoadMasterKeyOptions): Promise<Buffer> {
    const { files, safeStorage } = this.options;
    if (existsSync(files.passphraseKeyFile)) return this.#unlockWithPassphrase();
    if (existsSync(files.keychainKeyFile)) {
      if (!(await safeStorage.isAsyncEncryptionAvailable())) {
        throw new Error('The system keychain that sealed the master key is not available; unlock your keyring and start again');
      }
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(readFileSync(files.keychainKeyFile));
      if (!/^[0-9a-f]{64}$/i.test(result)) throw new Error(`${files.keychainKeyFile} does not hold a master key`);
      const key = Buffer.from(result, 'hex');
      if (shouldReEncrypt) await this.#sealWithKeychain(key);
      return key;
    }
    // A data folder first used headless keeps its key: import it, then remove the plain copy.
    if (!existsSync(files.plainKeyFile) && options.mayCreate === false) throw new MasterKeyMissingError(this.description);
    const key = existsSync(files.plainKeyFile) ? await new FileMasterKeyProvider(files.plainKeyFile).load() : generateMasterKey();
    if (await safeStorage.isAsyncEncryptionAvailable()) {
      await this.#sealWithKeychain(key);
    } else {
      const passphrase = await this.options.askPassphrase({ purpose: 'choose', retry: false });
      if (passphrase === null) throw new UnlockCancelledError();
      await this.#wrapWithPassphrase(key, passphraseSchema.parse(passphrase));
    }
    rmSync(files.plainKeyFile, { force: true });
    return key;
  }

  async #unlockWithPassphrase(): Promise<Buffer> {
    const file = wrappedKeyFileSchema.parse(JSON.parse(readFileSync(this.options.files.passphraseKeyFile, 'utf8')));
    for (let retry = false; ; retry = true) {
      const passphrase = await this.options.askPassphrase({ purpose: 'unlock', retry });
      if (passphrase === null) throw new UnlockCancelledError();
      try {
        return await unwrapKeyWithPassphrase(file, passphrase);
      } catch (error) {
        if (!(error instanceof WrongPassphraseError)) throw error;
      }
    }
  }

  async #sealWithKeychain(key: Buffer): Promise<void> {
    const sealed = await this.options.safeStorage.encryptStringAsync(key.toString('hex'));
    writeFileAtomically(this.options.files.keychainKeyFile, sealed);
  }

  async #wrapWithPassphrase(key: Buffer, passphrase: string): Promise<void> {
    const wrapped = await wrapKeyWithPassphrase(key, passphrase, this.options.scryptParams ?? DEFAULT_SCRYPT_PARAMS);
    writeFileAtomically(this.options.files.passphraseKeyFile, `${JSON.stringify(wrapped, null, 2)}\n`);
  }
}
