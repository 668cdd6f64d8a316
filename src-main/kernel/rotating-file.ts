import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  /** The file is rotated before a write would take it past this size. */
  maxBytes?: number;
  /** Rotated files kept beside it (`cas.log.1` the newest … `cas.log.N`); older ones are deleted. */
  keep?: number;
}

/**
 * A size-capped log file for pino (a `write(line)` destination): at `maxBytes` the file becomes
 * `.1`, `.1` becomes `.2` and so on up to `keep`, so the folder never holds more than about
 * `(keep + 1) × maxBytes` of log. A write that fails (a full disk) drops that line and never
 * throws into the code that logged: the next write tries again.
 */
export class RotatingFile {
  readonly maxBytes: number;
  readonly keep: number;
  #fd: number | null = null;
  #size = 0;
  /** Lines lost to failed writes. */
  dropped = 0;

  constructor(
    readonly path: string,
    options: RotatingFileOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 5;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  write(line: string): boolean {
    const bytes = Buffer.from(line, 'utf8');
    try {
      let fd = this.#open();
      if (this.#size > 0 && this.#size + bytes.length > this.maxBytes) {
        this.#rotate();
        fd = this.#open();
      }
      writeSync(fd, bytes);
      this.#size += bytes.length;
    } catch {
      this.dropped++;
      this.#closeFile();
    }
    return true;
  }

  close(): void {
    this.#closeFile();
  }

  #open(): number {
    if (this.#fd === null) {
      this.#fd = openSync(this.path, 'a', 0o600);
      this.#size = fstatSync(this.#fd).size;
    }
    return this.#fd;
  }

  #rotate(): void {
    this.#closeFile();
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      try {
        renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      } catch {
        // Not there yet.
      }
    }
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
  }

  #closeFile(): void {
    if (this.#fd === null) return;
    try {
      closeSync(this.#fd);
    } catch {
      // Already gone.
    }
    this.#fd = null;
  }
}
