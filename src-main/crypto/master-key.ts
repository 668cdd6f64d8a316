import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writePrivateFileSync } from '../db/private-files';

export interface LoadMasterKeyOptions {
  /**
   * Whether a missing key may be created. False once the database holds sealed data: a new key
   * would not open it, and would seal new rows that the right key then could not open.
   */
  mayCreate?: boolean;
}

export class MasterKeyMissingError extends Error {
  constructor(where: string) {
    super(
      `The master key (${where}) is missing, but the database holds data sealed under it: restore the key (from where you back it up). ` +
        'A new key would not open that data, so none was created; nothing was changed',
    );
  }
}

/**
 * Where the CAS gets its 32-byte master key. Headless it is a file; the desktop shell supplies
 * one kept in the OS keychain. The core only ever sees this interface.
 */
export interface MasterKeyProvider {
  /** A human-readable description for logs (never the key). */
  readonly description: string;
  /** Returns the master key, creating it on first use if the provider can and `mayCreate` allows. */
  load(options?: LoadMasterKeyOptions): Promise<Buffer>;
  /** Replaces the stored master key (used by re-keying, after the data was re-encrypted). */
  store(key: Buffer): Promise<void>;
}

export function generateMasterKey(): Buffer {
  return randomBytes(32);
}

/**
 * Stores the key as 64 hex characters in a file readable by the owner only, and refuses to use
 * one that group or others may read (as ssh does with private keys), naming the fix.
 */
export class FileMasterKeyProvider implements MasterKeyProvider {
  readonly description: string;

  constructor(readonly file: string) {
    this.description = `file ${file}`;
  }

  async load(options: LoadMasterKeyOptions = {}): Promise<Buffer> {
    if (!existsSync(this.file)) {
      if (options.mayCreate === false) throw new MasterKeyMissingError(this.description);
      await this.store(generateMasterKey());
    }
    const mode = statSync(this.file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(`Master key file ${this.file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}); make it private: chmod 600 ${this.file}`);
    }
    const text = readFileSync(this.file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) {
      throw new Error(`Master key file ${this.file} must hold 64 hex characters`);
    }
    return Buffer.from(text, 'hex');
  }

  async store(key: Buffer): Promise<void> {
    if (key.length !== 32) throw new Error('The master key must be 32 bytes');
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writePrivateFileSync(temp, `${key.toString('hex')}\n`);
    await rename(temp, this.file);
  }
}

/** The headless default: `CAS_MASTER_KEY_FILE`, else `master.key` in the data folder. */
export function defaultMasterKeyProvider(dataDir: string): MasterKeyProvider {
  return new FileMasterKeyProvider(process.env.CAS_MASTER_KEY_FILE || join(dataDir, 'master.key'));
}
