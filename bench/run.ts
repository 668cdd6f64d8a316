/**
 * `npm run bench`: by default the HTTP route benchmark (bench/http/, docs/benchmarks.md); with
 * `--startup` the start-up phase, with `--profile ROUTE` a CPU profile of one route. Names on the
 * command line (e.g. `npm run bench -- access-decisions`, or `--scenarios` for all) run the
 * in-process scenarios `bench/*.bench.ts` instead, each in its own process.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseBenchOptions, USAGE } from './http/options';
import { runProfile, runRouteBenchmark, runStartup } from './http/http-bench';

function runScenarios(only: readonly string[]): number {
  const scenarios = readdirSync(__dirname)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => only.includes('*') || only.some((name) => file.startsWith(name)))
    .sort();
  let failed = 0;
  for (const file of scenarios) {
    console.log(`\n=== ${file}`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, file)], { stdio: 'inherit' });
    if (result.status !== 0) failed++;
  }
  if (scenarios.length === 0) console.log('no benchmark scenario matched');
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.scenarios.length > 0) return runScenarios(options.scenarios);
  if (options.startup) await runStartup(options);
  else if (options.profile) await runProfile(options, options.profile);
  else await runRouteBenchmark(options);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
