/** Child processes of the benchmark: started, awaited until they print their ready line, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ReadyProcess {
  child: ChildProcess;
  /** The match of the ready pattern in the output. */
  ready: RegExpExecArray;
  /** performance.now() at spawn and when the ready line arrived. */
  spawnedAt: number;
  readyAt: number;
  output: () => string;
  stop: () => Promise<void>;
}

export function startReadyProcess(
  name: string,
  command: string,
  args: string[],
  readyPattern: RegExp,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ReadyProcess> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} printed no ready line within ${options.timeoutMs ?? 60_000} ms:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    let waiting = true;
    const onData = (chunk: Buffer) => {
      // Keep only the head of the output: a benchmarked process must not grow this string.
      if (output.length < 64_000) output += chunk.toString();
      if (!waiting) return;
      const ready = readyPattern.exec(output);
      if (ready) {
        waiting = false;
        clearTimeout(timer);
        resolve({ child, ready, spawnedAt, readyAt: performance.now(), output: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!waiting) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** Resident set size of a live process in bytes (Linux /proc). */
export function residentBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}
