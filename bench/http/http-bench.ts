/**
 * `npm run bench`: the client routes of the CAS side by side with bare Koa and nginx, interleaved
 * (each round runs every target in turn at each concurrency), with wrk; plus the start-up phase
 * (`--startup`) and a CPU profile of one route (`--profile ROUTE`). See docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchEnvironment, routeMatches, type BenchEnvironment } from './environment';
import { describeMachine } from './machine';
import type { BenchOptions } from './options';
import { residentBytes } from './processes';
import {
  consoleTable,
  median,
  MAX_RSS_MIB,
  MAX_STARTUP_MS,
  routeVerdicts,
  runIsValid,
  summarise,
  writeBenchmarkDocs,
  type RunRecord,
  type StartupReport,
} from './report';
import type { BenchRoute } from './routes';
import { seedDataDir } from './seed';
import { ensureBuiltCas, projectRoot, startCasProcess } from './targets';
import { requireWrk, runWrk } from './wrk';
import { selfTimes } from './cpu-profile';

const DOCS_MD = join(projectRoot, 'docs', 'benchmarks.md');
const DOCS_JSON = join(projectRoot, 'docs', 'benchmarks.json');
/** Single-use sign-in bodies per second of a run: far above what one core signs in. */
const SIGN_INS_PER_SECOND_BOUND = 8_000;

const PROBE_PATHS = { koa: '/', nginx: '/ok', cas: '/healthz' } as const;

/**
 * Runs wrk, then waits until the target has answered what wrk left queued (a slow route keeps
 * working for seconds after wrk stops): one probe answered means the backlog is gone, so the
 * next run does not start against a busy target.
 */
async function run(env: BenchEnvironment, route: BenchRoute, connections: number, seconds: number, startAt = 0) {
  const poolFile = env.poolFileFor(route, seconds * SIGN_INS_PER_SECOND_BOUND);
  const baseUrl = env.targets[route.target]!.baseUrl;
  const result = await runWrk({ baseUrl, poolFile, connections, seconds, startAt });
  await (await fetch(`${baseUrl}${PROBE_PATHS[route.target]}`)).arrayBuffer();
  return result;
}

/**
 * Warm-up of one route: `seconds` of load, repeated (at most 10 times) until every request of its
 * pool was sent once, so the rounds measure viewers the CAS has seen before (as it has in service),
 * not first sightings of thousands of viewers at a time. Each run continues in the pool where the
 * last one stopped (a new wrk starts at the pool's first request).
 */
async function warmUp(env: BenchEnvironment, route: BenchRoute, connections: number, seconds: number, poolSize: number): Promise<void> {
  let sent = 0;
  for (let i = 0; i < 10 && (i === 0 || (!route.freshPerRun && sent < poolSize)); i++) sent += (await run(env, route, connections, seconds, sent)).requests;
}

export async function runRouteBenchmark(options: BenchOptions): Promise<void> {
  requireWrk();
  const machine = describeMachine();
  const env = await startBenchEnvironment(options, { floors: true });
  try {
    const { routes } = env;
    console.log(`measuring ${routes.map((r) => r.name).join(', ')}`);
    if (options.warmupSeconds > 0) {
      for (const route of routes) await warmUp(env, route, options.connections[0], options.warmupSeconds, options.viewers);
    }
    const records: RunRecord[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      for (const connections of options.connections) {
        for (const route of routes) {
          const result = await run(env, route, connections, options.seconds);
          const valid = runIsValid(route, result);
          records.push({ route: route.name, connections, round, result, valid });
          const note = valid ? '' : `  INVALID: ${result.statusErrors} of ${result.requests} answers ≥ 400 (expected ${route.expectStatus})`;
          console.log(
            `round ${round} c${connections} ${route.name.padEnd(24)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms${result.socketErrors ? `  socket errors ${result.socketErrors}` : ''}${note}`,
          );
          if (!valid) console.log(`  one answer now: ${(await env.check(route)) ?? 'as expected'}`);
        }
      }
    }
    const figures = summarise(routes, records, options.connections);
    const verdicts = routeVerdicts(routes, figures);
    console.log(`\n${consoleTable(figures)}\n`);
    for (const v of verdicts) console.log(`${v.pass === null ? 'n/a ' : v.pass ? 'pass' : 'FAIL'}  ${v.route.padEnd(24)} ${v.target}: ${v.measured}`);
    if (options.write) {
      writeBenchmarkDocs(DOCS_MD, DOCS_JSON, {
        routes: {
          date: new Date().toISOString(),
          machine,
          config: { seconds: options.seconds, rounds: options.rounds, connections: options.connections, accounts: options.accounts, viewers: options.viewers, devices: options.devices },
          figures,
          verdicts,
        },
      });
      console.log(`\nwritten: docs/benchmarks.md, docs/benchmarks.json`);
    }
  } finally {
    await env.close();
  }
}

export async function runProfile(options: BenchOptions, routeName: string): Promise<void> {
  requireWrk();
  const profileDir = mkdtempSync(join(tmpdir(), 'cas-bench-profile-'));
  const env = await startBenchEnvironment({ ...options, routes: [routeName] }, { floors: false, casNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  let profileFile: string | undefined;
  let loadEndedAt = Date.now();
  let stopSeconds = 0;
  try {
    const route = env.routes.find((r) => r.name === routeName) ?? env.routes.find((r) => routeMatches(r.name, [routeName]));
    if (!route) throw new Error(`no route ${routeName}`);
    const connections = options.connections[0];
    // Warm up as the comparison does, so the profile shows the route's steady state, not first sightings.
    if (options.warmupSeconds > 0) await warmUp(env, route, connections, options.warmupSeconds, options.viewers);
    console.log(`profiling ${route.name} at c${connections} for ${options.seconds} s`);
    const result = await run(env, route, connections, options.seconds);
    loadEndedAt = Date.now();
    console.log(`${result.requestsPerSecond.toFixed(0)} req/s  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  (${result.statusErrors} answers ≥ 400)`);
  } finally {
    await env.cas.stop(); // the profile is written as the CAS exits
    stopSeconds = (Date.now() - loadEndedAt) / 1000;
    profileFile = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    await env.close();
  }
  if (!profileFile) throw new Error(`no .cpuprofile in ${profileDir}`);
  const path = join(profileDir, profileFile);
  // The load run ended just before the CAS was stopped: leave out the stop (its shutdown flush), keep the run.
  const { busyMs, idleMs, top } = selfTimes(readFileSync(path, 'utf8'), projectRoot, options.seconds, stopSeconds);
  console.log(`\nCPU profile ${path} (open in Chrome DevTools for the call tree)`);
  console.log(`the ${options.seconds} s of load (the ${stopSeconds.toFixed(1)} s of the stop left out): busy ${busyMs.toFixed(0)} ms, idle ${idleMs.toFixed(0)} ms; top self time:`);
  for (const entry of top.slice(0, 30)) console.log(`${entry.percent.toFixed(1).padStart(5)}%  ${entry.ms.toFixed(0).padStart(6)} ms  ${entry.name}`);
}

async function firstHealthz(baseUrl: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function runStartup(options: BenchOptions): Promise<void> {
  ensureBuiltCas();
  const machine = describeMachine();
  const scratch = mkdtempSync(join(tmpdir(), 'cas-bench-startup-'));
  try {
    const dataDir = join(scratch, 'cas-data');
    mkdirSync(dataDir);
    console.log(`seeding ${options.startupAccounts.toLocaleString('en')} accounts …`);
    const seeded = await seedDataDir(dataDir, { accounts: options.startupAccounts, keepTokens: false });
    console.log(`seeded in ${seeded.seconds.toFixed(1)} s`);
    const starts: StartupReport['starts'] = [];
    for (let n = 0; n < options.starts; n++) {
      const cas = await startCasProcess(dataDir);
      try {
        await firstHealthz(cas.baseUrl);
        const healthzAt = performance.now();
        const start = {
          readyMs: cas.process.readyAt - cas.process.spawnedAt,
          healthzMs: healthzAt - cas.process.spawnedAt,
          rssMiB: residentBytes(cas.pid) / 2 ** 20,
        };
        starts.push(start);
        console.log(`start ${n + 1}: ready line ${start.readyMs.toFixed(0)} ms, first /healthz 200 ${start.healthzMs.toFixed(0)} ms, RSS ${start.rssMiB.toFixed(0)} MiB`);
      } finally {
        await cas.stop();
      }
    }
    const medianReadyMs = median(starts.map((s) => s.readyMs))!;
    const medianHealthzMs = median(starts.map((s) => s.healthzMs))!;
    const maxRssMiB = Math.max(...starts.map((s) => s.rssMiB));
    const report: StartupReport = {
      date: new Date().toISOString(),
      machine,
      accounts: options.startupAccounts,
      starts,
      medianReadyMs,
      medianHealthzMs,
      maxRssMiB,
      verdicts: [
        { route: 'startup', label: 'start-up to the ready line (median)', target: `< ${MAX_STARTUP_MS} ms`, measured: `${medianReadyMs.toFixed(0)} ms`, pass: medianReadyMs < MAX_STARTUP_MS },
        { route: 'startup', label: 'start-up to the first `/healthz` 200 (median)', target: `< ${MAX_STARTUP_MS} ms`, measured: `${medianHealthzMs.toFixed(0)} ms`, pass: medianHealthzMs < MAX_STARTUP_MS },
        { route: 'startup', label: 'RSS once ready (largest)', target: `< ${MAX_RSS_MIB} MiB`, measured: `${maxRssMiB.toFixed(0)} MiB`, pass: maxRssMiB < MAX_RSS_MIB },
      ],
    };
    for (const v of report.verdicts) console.log(`${v.pass ? 'pass' : 'FAIL'}  ${v.label}: ${v.measured} (target ${v.target})`);
    if (options.write) writeBenchmarkDocs(DOCS_MD, DOCS_JSON, { startup: report });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
