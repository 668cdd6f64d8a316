/**
 * One benchmark environment: a seeded data folder, the HLS origin (nginx), bare Koa, the CAS as a
 * child process, and the measured routes with their request pools, each checked once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { casRoutes, floorRoutes, type BenchRoute, type TargetName } from './routes';
import { seedDataDir } from './seed';
import { prepareRouteData } from './setup';
import { ensureBuiltCas, startBareKoa, startCasProcess, startOrigin, writeOriginPlaylists, type CasProcess, type RunningTarget } from './targets';
import { writeRequestPool, type HttpRequestSpec } from './wrk';
import type { BenchOptions } from './options';

export interface BenchEnvironment {
  scratch: string;
  routes: BenchRoute[];
  targets: Partial<Record<TargetName, RunningTarget>>;
  cas: CasProcess;
  /** Writes the route's pool for a run and returns the file (fresh bodies where the route needs them). */
  poolFileFor(route: BenchRoute, requestsExpected: number): string;
  /** What is wrong with one answer of the route now, or null (to explain an invalid run). */
  check(route: BenchRoute): Promise<string | null>;
  close: () => Promise<void>;
}

const CRYPTO_PERIOD_SECONDS = 600;

export function routeMatches(name: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => name.includes(f));
}

/** Sends one request of the route the way wrk will and says what is wrong with the answer, or null. */
async function checkRoute(route: BenchRoute, baseUrl: string, spec: HttpRequestSpec): Promise<string | null> {
  const response = await fetch(`${baseUrl}${spec.path}`, { method: spec.method, headers: spec.headers, body: spec.body });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== route.expectStatus) return `status ${response.status}, expected ${route.expectStatus}: ${body.toString().slice(0, 300)}`;
  return route.check?.({ status: response.status, headers: response.headers, body }) ?? null;
}

export async function startBenchEnvironment(options: BenchOptions, selection: { floors: boolean; casNodeArgs?: string[] }): Promise<BenchEnvironment> {
  ensureBuiltCas();
  const scratch = mkdtempSync(join(tmpdir(), 'cas-bench-http-'));
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error(error));
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const origin = await startOrigin(scratch);
    stops.push(origin.stop);
    const dataDir = join(scratch, 'cas-data');
    const seeded = await seedDataDir(dataDir, { accounts: options.accounts, keepTokens: true, hlsOriginOf: (ch) => `${origin.baseUrl}/live/${ch}/` });
    console.log(`seeded ${options.accounts.toLocaleString('en')} accounts, 200 channels in ${seeded.seconds.toFixed(1)} s`);
    const targets: Partial<Record<TargetName, RunningTarget>> = {};
    if (selection.floors) {
      targets.koa = await startBareKoa();
      stops.push(targets.koa.stop);
      if (origin.nginx) targets.nginx = origin.nginx;
    }
    const cas = await startCasProcess(dataDir, selection.casNodeArgs);
    stops.push(cas.stop);
    targets.cas = cas;
    writeOriginPlaylists(origin, cas.baseUrl, Math.floor(Date.now() / 1000 / CRYPTO_PERIOD_SECONDS));
    const data = await prepareRouteData(cas.baseUrl, seeded.tokens, { viewers: options.viewers, devices: options.devices, keyViewers: Math.min(options.viewers, 500) });
    const wanted = casRoutes(data).filter((r) => routeMatches(r.name, options.routes));
    if (wanted.length === 0) throw new Error(`no CAS route matches ${options.routes.join(', ')}`);
    const routes = [...floorRoutes().filter((r) => targets[r.target]), ...wanted];
    const check = (route: BenchRoute) => checkRoute(route, targets[route.target]!.baseUrl, route.pool(1)[0]);
    for (const route of routes) {
      const problem = await check(route);
      if (problem) throw new Error(`${route.name} answers wrongly, so it is not measured: ${problem}`);
    }
    const pools = new Map<string, string>();
    const poolFileFor = (route: BenchRoute, requestsExpected: number) => {
      const cached = pools.get(route.name);
      if (cached && !route.freshPerRun) return cached;
      const file = join(scratch, `${route.name}.pool`);
      const host = new URL(targets[route.target]!.baseUrl).host;
      writeRequestPool(file, host, route.pool(route.freshPerRun ? requestsExpected : options.viewers));
      pools.set(route.name, file);
      return file;
    };
    return { scratch, routes, targets, cas, poolFileFor, check, close };
  } catch (error) {
    await close();
    throw error;
  }
}

