import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const projectRoot = join(__dirname, '..', '..');
const cli = ['--import', 'tsx', join(projectRoot, 'src-main', 'cli', 'main.ts')];

export interface ServeProcess {
  child: ChildProcess;
  adminUrl: string;
  output: () => string;
}

/** Starts `cas-studio serve` on ephemeral loopback ports and waits for its "dashboard" line. */
export function serveProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...cli, 'serve', '--data-dir', dataDir, '--admin-port', '0', '--api-port', '0', '--api-host', '127.0.0.1', '--log-format', 'json'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /dashboard (http:\/\/127\.0\.0\.1:\d+)\/admin/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, adminUrl: match[1], output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`serve exited with ${code}:\n${output}`), { code, output }));
    });
  });
}

/** Stops a served process with a signal and resolves with its exit code (or signal). */
export function stopProcess(served: ServeProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
  return new Promise((resolve) => {
    served.child.removeAllListeners('exit');
    served.child.on('exit', (code, sig) => resolve(code ?? sig));
    served.child.kill(signal);
  });
}

/** Runs one `cas-studio` command to completion. */
export function runCli(args: string[], options: { input?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...cli, ...args], {
    cwd: projectRoot,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
}

/**
 * Runs one `cas-studio` command without blocking this process (so an in-process test CAS can
 * answer it); resolves with its exit code and output, or null as the code when it had not exited
 * after `limitMs` (it is then killed).
 */
export function runCliAsync(args: string[], limitMs = 30_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...cli, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: signal === 'SIGKILL' ? null : code, output });
    });
  });
}
