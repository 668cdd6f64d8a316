/** The machine a run was measured on, as the report prints it. */
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Machine } from './report';
import { wrkVersion } from './wrk';

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}

export function describeMachine(): Machine {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown CPU',
    cores: cores.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: osName(),
    node: process.version,
    wrk: wrkVersion(),
  };
}
