import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packagerKeyInfoSchema, type PackagerKeyInfo, type PackagerPeriodKey } from '../../src-shared/schemas/keys';

export class KeyInfoFetchError extends Error {
  constructor(
    message: string,
    /** 401/403/404: retrying will not help. */
    readonly fatal: boolean,
  ) {
    super(message);
  }
}

export interface KeyInfoWriterOptions {
  server: string;
  apiKey: string;
  channel: string;
  dir: string;
  /** The key info file ffmpeg reads (`-hls_key_info_file`); default `<dir>/<channel>.keyinfo`. */
  keyInfoFile?: string;
  /** Called for each key switch and each problem (never with key bytes). */
  log?: (message: string) => void;
}

/**
 * Keeps an ffmpeg `-hls_key_info_file` current from the packager API. Line 1 is the key URI
 * as it goes into EXT-X-KEY, line 2 the path of the 16-byte key file, line 3 the IV in hex.
 * With `-hls_flags periodic_rekey` ffmpeg re-reads the file at every segment, so it switches
 * keys on its own. Each key goes to a NEW file first (never rewritten in place); then the key
 * info file is replaced by rename, so ffmpeg never reads a half-written file. The switch to the
 * next period happens on a timer at its start (in server time); a poll picks up manual rotations.
 */
export class KeyInfoWriter {
  readonly keyInfoFile: string;
  readonly #dir: string;
  #active: string | null = null;
  #latest: PackagerKeyInfo | null = null;
  /** Server time minus local time, from the last answer. */
  #skewMs = 0;
  #switchTimer: NodeJS.Timeout | null = null;
  #pollTimer: NodeJS.Timeout | null = null;
  /** Key files written, with the end of their period (local time), for cleanup. */
  readonly #files = new Map<string, number>();
  #stopped = false;

  constructor(private readonly options: KeyInfoWriterOptions) {
    this.#dir = resolve(options.dir);
    this.keyInfoFile = resolve(options.keyInfoFile ?? join(this.#dir, `${options.channel}.keyinfo`));
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  /** Fetches the keys once and writes the file for the key in force now. */
  async refresh(): Promise<PackagerKeyInfo> {
    const url = `${this.options.server.replace(/\/+$/, '')}/api/v1/packager/${encodeURIComponent(this.options.channel)}/keyinfo`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { authorization: `Bearer ${this.options.apiKey}` }, signal: AbortSignal.timeout(5000) });
    } catch (error) {
      throw new KeyInfoFetchError(`CAS not reachable at ${this.options.server}: ${(error as Error).message}`, false);
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      const reason = body?.error?.message ?? response.statusText;
      throw new KeyInfoFetchError(`CAS answered ${response.status}: ${reason}`, [400, 401, 403, 404].includes(response.status));
    }
    const info = packagerKeyInfoSchema.parse(await response.json());
    this.#skewMs = Date.parse(info.serverTime) - Date.now();
    this.#latest = info;
    this.#writeKeyFile(info.current);
    this.#writeKeyFile(info.next);
    this.#apply();
    this.#cleanup();
    return info;
  }

  /** Refreshes now and then every `pollMs` (and switches on time at each period start) until `stop()`. */
  async run(pollMs?: number): Promise<void> {
    const info = await this.refresh();
    const interval = pollMs ?? Math.min(5000, Math.max(250, (info.cryptoPeriodSeconds * 1000) / 4));
    const tick = () => {
      if (this.#stopped) return;
      this.refresh()
        .catch((error: unknown) => {
          this.options.log?.(error instanceof Error ? error.message : String(error));
          if (error instanceof KeyInfoFetchError && error.fatal) {
            this.stop();
            process.exitCode = 1;
          }
        })
        .finally(() => {
          if (!this.#stopped) this.#pollTimer = setTimeout(tick, interval);
        });
    };
    this.#pollTimer = setTimeout(tick, interval);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#switchTimer) clearTimeout(this.#switchTimer);
    if (this.#pollTimer) clearTimeout(this.#pollTimer);
  }

  #keyFile(key: PackagerPeriodKey): string {
    return join(this.#dir, `${this.options.channel}-${key.keyId}.key`);
  }

  #writeKeyFile(key: PackagerPeriodKey): void {
    const file = this.#keyFile(key);
    if (this.#files.has(file)) return;
    const temp = `${file}.tmp`;
    writeFileSync(temp, Buffer.from(key.key, 'hex'), { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, file);
    this.#files.set(file, Date.parse(key.endsAt) - this.#skewMs);
  }

  /** Points the key info file at the key in force now; arms the switch to the next one. */
  #apply(): void {
    const info = this.#latest;
    if (!info || this.#stopped) return;
    const serverNow = Date.now() + this.#skewMs;
    const nextStart = Date.parse(info.next.startsAt);
    const key = serverNow >= nextStart ? info.next : info.current;
    const content = `${key.keyUri}\n${this.#keyFile(key)}\n${key.iv}\n`;
    if (content !== this.#active) {
      const temp = `${this.keyInfoFile}.tmp`;
      writeFileSync(temp, content, { mode: 0o600 });
      renameSync(temp, this.keyInfoFile);
      this.#active = content;
      this.options.log?.(`key ${key.keyId} in force (period ${key.startsAt} – ${key.endsAt})`);
    }
    if (this.#switchTimer) clearTimeout(this.#switchTimer);
    this.#switchTimer = null;
    if (key === info.current) {
      this.#switchTimer = setTimeout(() => {
        // A failed switch (disk full, folder gone) is reported; the next poll tries again.
        try {
          this.#apply();
        } catch (error) {
          this.options.log?.(`could not switch the key info file: ${(error as Error).message}`);
        }
      }, Math.max(0, nextStart - serverNow));
    }
  }

  /** Deletes key files whose period ended more than a minute ago (ffmpeg has read them). */
  #cleanup(): void {
    const cutoff = Date.now() - 60_000;
    for (const [file, endsAt] of this.#files) {
      if (endsAt < cutoff) {
        rmSync(file, { force: true });
        this.#files.delete(file);
      }
    }
  }
}
