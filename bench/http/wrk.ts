/**
 * Drives Debian's wrk (one thread, keep-alive) with a pool of raw requests and reads its result:
 * pool.lua prints one `WRK_JSON {...}` line from wrk's `done()` hook (requests, errors, latency
 * percentiles), which `parseWrkOutput` turns into figures.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const WRK = '/usr/bin/wrk';
const POOL_SCRIPT = join(__dirname, 'pool.lua');

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

const wrkJsonSchema = z.object({
  requests: z.number().int().nonnegative(),
  durationMicros: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  errors: z.object({
    connect: z.number().int(),
    read: z.number().int(),
    write: z.number().int(),
    status: z.number().int(),
    timeout: z.number().int(),
  }),
  latencyMicros: z.object({ mean: z.number(), max: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number() }),
});

export interface WrkResult {
  requests: number;
  requestsPerSecond: number;
  /** Answers with a status of 400 or more. */
  statusErrors: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The figures of one wrk run, from the WRK_JSON line pool.lua prints. */
export function parseWrkOutput(stdout: string): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no WRK_JSON line:\n${stdout}`);
  const run = wrkJsonSchema.parse(JSON.parse(line.slice('WRK_JSON '.length)));
  const ms = (micros: number) => micros / 1000;
  const { connect, read, write, timeout, status } = run.errors;
  return {
    requests: run.requests,
    requestsPerSecond: run.requests / (run.durationMicros / 1e6),
    statusErrors: status,
    socketErrors: connect + read + write + timeout,
    p50Ms: ms(run.latencyMicros.p50),
    p90Ms: ms(run.latencyMicros.p90),
    p99Ms: ms(run.latencyMicros.p99),
    maxMs: ms(run.latencyMicros.max),
  };
}

/** One request as it goes on the wire (HTTP/1.1, keep-alive). */
export function rawRequest(host: string, spec: HttpRequestSpec): string {
  const lines = [`${spec.method} ${spec.path} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(spec.headers ?? {})) lines.push(`${name}: ${value}`);
  if (spec.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(spec.body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${spec.body ?? ''}`;
}

/** Writes a pool file for pool.lua: per request, its length in bytes on a line, then its bytes. */
export function writeRequestPool(file: string, host: string, specs: readonly HttpRequestSpec[]): void {
  if (specs.length === 0) throw new Error(`empty request pool for ${file}`);
  const parts = specs.map((spec) => {
    const raw = Buffer.from(rawRequest(host, spec));
    return Buffer.concat([Buffer.from(`${raw.length}\n`), raw]);
  });
  writeFileSync(file, Buffer.concat(parts));
}

export function requireWrk(): void {
  if (!existsSync(WRK)) throw new Error(`${WRK} is missing: install Debian's wrk with "apt-get install wrk"`);
}

export function wrkVersion(): string {
  // wrk -v prints its version and usage, then exits 1.
  const out = spawnSync(WRK, ['-v'], { encoding: 'utf8' }).stdout;
  return /^wrk (\S+)/m.exec(out)?.[1] ?? 'unknown';
}

export function runWrk(options: { baseUrl: string; poolFile: string; connections: number; seconds: number; startAt?: number }): Promise<WrkResult> {
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '--timeout', '10s', '-s', POOL_SCRIPT, options.baseUrl, '--', options.poolFile, String(options.startAt ?? 0)];
  return new Promise((resolve, reject) => {
    execFile(WRK, args, { encoding: 'utf8', maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      try {
        resolve(parseWrkOutput(stdout));
      } catch (parseError) {
        reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
      }
    });
  });
}
