import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE, writePrivateFileSync } from '../db/private-files';

/**
 * Where the CAS gets its 32-byte master key. Headless it is a file; the desktop shell supplies
 * one kept in the OS keychain. The core only ever sees this interface.
 */
export interface MasterKeyProvider {
  /** A human-readable description for logs (never the key). */
  readonly description: string;
  /** Returns the master key, creating it on first use if the provider can. */
  load(): Promise<Buffer>;
  /** Replaces the stored master key (used by re-keying, after the data was re-encrypted). */
  store(key: Buffer): Promise<void>;
}

export function generateMasterKey(): Buffer {
  return randomBytes(32);
}

/** Stores the key as 64 hex characters in a file readable by the owner only. */
export class FileMasterKeyProvider implements MasterKeyProvider {
  readonly description: string;

  constructor(readonly file: string) {
    this.description = `file ${file}`;
  }

  async load(): Promise<Buffer> {
    if (!existsSync(this.file)) {
      await this.store(generateMasterKey());
    } else if ((statSync(this.file).mode & 0o077) !== 0) {
      chmodSync(this.file, PRIVATE_FILE_MODE);
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
