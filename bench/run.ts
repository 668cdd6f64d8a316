/**
 * Runs the benchmark scenarios: every `bench/*.bench.ts` (or the ones named on the command line,
 * e.g. `npm run bench -- accounts-list`). Each scenario file runs itself when executed and prints
 * its figures; this runner starts each in its own process so they do not disturb each other.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const only = process.argv.slice(2);
const scenarios = readdirSync(__dirname)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

let failed = 0;
for (const file of scenarios) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
if (scenarios.length === 0) console.log('no benchmark scenario matched');
process.exit(failed ? 1 : 0);
