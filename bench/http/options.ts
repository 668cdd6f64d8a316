/** Flags (and environment variables) of `npm run bench`; see docs/benchmarks.md. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  seconds: number;
  rounds: number;
  connections: number[];
  accounts: number;
  viewers: number;
  devices: number;
  warmupSeconds: number;
  /** Substrings of CAS route names to measure; empty: all. The floors always run. */
  routes: string[];
  write: boolean;
  /** A route to run under `node --cpu-prof` instead of the comparison. */
  profile: string | null;
  startup: boolean;
  startupAccounts: number;
  starts: number;
  /** Names of in-process scenarios (bench/*.bench.ts) to run instead, e.g. `access-decisions`. */
  scenarios: string[];
  help: boolean;
}

const QUICK = { seconds: 2, rounds: 1, accounts: 20_000, viewers: 1_000, warmupSeconds: 1 };

export const USAGE = `npm run bench [-- flags]            HTTP route benchmark (docs/benchmarks.md)
  --quick                  2 s runs, 1 round, 20,000 accounts (about a minute of load)
  --seconds N              seconds per wrk run (BENCH_SECONDS, default 5)
  --rounds N               interleaved rounds; figures are medians (BENCH_ROUNDS, default 3)
  --connections 32,128     wrk concurrency levels (BENCH_CONNECTIONS)
  --accounts N             accounts seeded (BENCH_ACCOUNTS, default 100000)
  --routes a,b             only CAS routes whose name contains one of these (BENCH_ROUTES)
  --viewers N              accounts per route sending requests (default 5000)
  --devices N              signed-in devices for ECM/EMM/sign-in (default 200)
  --warmup N               seconds of load per route before the first round, repeated until its pool was sent once (default 1)
  --no-write               print only; do not write docs/benchmarks.md and .json
  --profile ROUTE          run ROUTE at the first concurrency under node --cpu-prof; print top self time
  --startup                start-up time and RSS with --startup-accounts (default 1000000), --starts times (3)
npm run bench -- NAME…    in-process scenarios bench/NAME*.bench.ts (e.g. access-decisions); --scenarios runs all`;

const positiveInt = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, not "${text}"`);
  return value;
};

export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      quick: { type: 'boolean' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      accounts: { type: 'string' },
      routes: { type: 'string' },
      viewers: { type: 'string' },
      devices: { type: 'string' },
      warmup: { type: 'string' },
      'no-write': { type: 'boolean' },
      profile: { type: 'string' },
      startup: { type: 'boolean' },
      'startup-accounts': { type: 'string' },
      starts: { type: 'string' },
      scenarios: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const quick = values.quick === true;
  const connections = (values.connections ?? env.BENCH_CONNECTIONS ?? '32,128').split(',').map((c) => positiveInt('--connections', c.trim(), 32));
  const warmup = values.warmup ?? (quick ? String(QUICK.warmupSeconds) : '1');
  return {
    seconds: positiveInt('--seconds', values.seconds ?? env.BENCH_SECONDS, quick ? QUICK.seconds : 5),
    rounds: positiveInt('--rounds', values.rounds ?? env.BENCH_ROUNDS, quick ? QUICK.rounds : 3),
    connections,
    accounts: positiveInt('--accounts', values.accounts ?? env.BENCH_ACCOUNTS, quick ? QUICK.accounts : 100_000),
    viewers: positiveInt('--viewers', values.viewers, quick ? QUICK.viewers : 5_000),
    devices: positiveInt('--devices', values.devices, 200),
    warmupSeconds: warmup === '0' ? 0 : positiveInt('--warmup', warmup, 1),
    routes: (values.routes ?? env.BENCH_ROUTES ?? '').split(',').map((r) => r.trim()).filter(Boolean),
    write: values['no-write'] !== true,
    profile: values.profile ?? null,
    startup: values.startup === true,
    startupAccounts: positiveInt('--startup-accounts', values['startup-accounts'], 1_000_000),
    starts: positiveInt('--starts', values.starts, 3),
    scenarios: values.scenarios ? ['*'] : positionals,
    help: values.help === true,
  };
}
