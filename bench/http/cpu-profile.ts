/**
 * Reads a V8 .cpuprofile (written by `node --cpu-prof`) and sums self time per function and file,
 * so the top of the list says where a route spends its CPU without opening DevTools.
 */
import { z } from 'zod';

const cpuProfileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface SelfTime {
  /** `function (file:line)`; V8's own entries as they are named: (garbage collector), (program), (idle). */
  name: string;
  ms: number;
  /** Share of the busy time (everything but idle). */
  percent: number;
}

/** Shortens a script URL to what locates it: `node_modules/<package>/…` or the path below the project. */
function shortFile(url: string, projectRoot: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules !== -1) return path.slice(modules);
  return path.startsWith(projectRoot) ? path.slice(projectRoot.length + 1) : path;
}

/**
 * Self time per function; with `lastSeconds`, only of the samples taken in that many seconds
 * before the profile ends (the load run, without start-up and preparation), or before
 * `skipLastSeconds` from its end (the shutdown after the run).
 */
export function selfTimes(profileJson: string, projectRoot: string, lastSeconds = Infinity, skipLastSeconds = 0): { busyMs: number; idleMs: number; top: SelfTime[] } {
  const profile = cpuProfileSchema.parse(JSON.parse(profileJson));
  const nameOf = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const file = callFrame.url ? ` (${shortFile(callFrame.url, projectRoot)}:${callFrame.lineNumber + 1})` : '';
    nameOf.set(id, `${callFrame.functionName || '(anonymous)'}${file}`);
  }
  // timeDeltas[i] is the time from sample i-1 to sample i: sample i lasts until the next one.
  const at: number[] = [];
  profile.timeDeltas.reduce((t, delta, i) => (at[i] = t + delta), profile.startTime);
  const to = (at[at.length - 1] ?? 0) - skipLastSeconds * 1e6;
  const from = to - lastSeconds * 1e6;
  const micros = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (at[i] < from || at[i] > to) return;
    const name = nameOf.get(id) ?? '(unknown)';
    micros.set(name, (micros.get(name) ?? 0) + Math.max(0, profile.timeDeltas[i + 1] ?? 0));
  });
  const idleMs = (micros.get('(idle)') ?? 0) / 1000;
  micros.delete('(idle)');
  const busyMs = [...micros.values()].reduce((a, b) => a + b, 0) / 1000;
  const top = [...micros.entries()]
    .map(([name, us]) => ({ name, ms: us / 1000, percent: busyMs ? (100 * us) / 1000 / busyMs : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { busyMs, idleMs, top };
}
