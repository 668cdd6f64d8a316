/**
 * `tsx scripts/verify-packaged-abi.ts [release-dir]`: fails loudly unless every native module in
 * the packaged app was built for the ABI of the Electron in node_modules. A rebuild against the
 * wrong headers reports success and only breaks when the installed app starts; this catches it.
 */
import { join, resolve } from 'node:path';
import { electronAbiVersion, verifyPackagedAbi } from './native-abi';

const root = resolve(__dirname, '..');
const releaseDir = resolve(process.argv[2] ?? join(root, 'release'));
const expected = electronAbiVersion(join(root, 'node_modules', 'electron'));
const result = verifyPackagedAbi(releaseDir, expected);
for (const line of result.lines) (result.ok ? console.log : console.error)(line);
if (!result.ok) {
  console.error(`\nPACKAGE REJECTED: native modules do not match Electron's ABI ${expected}.`);
  process.exit(1);
}
console.log(`Native modules match Electron's ABI ${expected}.`);
