import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks which Node ABI a native addon (`.node`) was built for, from the registration symbol
 * node-gyp bakes into it: `node_register_module_v<ABI>` (NAN/V8 addons such as better-sqlite3).
 * Reading the bytes works for ELF, PE and Mach-O alike, without `nm`.
 */
export function registeredModuleAbis(binary: Buffer): number[] {
  const found = new Set<number>();
  const pattern = /node_register_module_v(\d+)/g;
  const text = binary.toString('latin1');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) found.add(Number(match[1]));
  return [...found].sort((a, b) => a - b);
}

/** Node-API addons are ABI-stable across Node and Electron: no version check is needed for them. */
export function isNodeApiAddon(binary: Buffer): boolean {
  return binary.includes('napi_register_module_v1');
}

/** The ABI (`NODE_MODULE_VERSION`) of the installed Electron, from the electron package's `abi_version`. */
export function electronAbiVersion(electronPackageDir: string): number {
  const file = join(electronPackageDir, 'abi_version');
  if (!existsSync(file)) throw new Error(`${file} is missing: cannot tell which ABI Electron needs`);
  const abi = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(abi) || abi <= 0) throw new Error(`${file} does not hold an ABI number`);
  return abi;
}

export interface AbiCheck {
  file: string;
  ok: boolean;
  expectedAbi: number;
  foundAbis: number[];
  message: string;
}

export function checkNativeModuleAbi(file: string, expectedAbi: number, nodeAbi = Number(process.versions.modules)): AbiCheck {
  const binary = readFileSync(file);
  const foundAbis = registeredModuleAbis(binary);
  if (foundAbis.length === 0 && isNodeApiAddon(binary)) {
    return { file, ok: true, expectedAbi, foundAbis, message: `ok (Node-API): ${file}` };
  }
  const ok = foundAbis.length === 1 && foundAbis[0] === expectedAbi;
  const described = foundAbis.length === 0 ? 'no ABI registration symbol' : `ABI ${foundAbis.join(', ')}${foundAbis.includes(nodeAbi) ? ` (Node ${process.versions.node}'s own ABI)` : ''}`;
  return {
    file,
    ok,
    expectedAbi,
    foundAbis,
    message: ok
      ? `ok (ABI ${expectedAbi}): ${file}`
      : `WRONG ABI: ${file} was built for ${described}, but Electron needs ABI ${expectedAbi}. The packaged app would fail to load it at start. Rebuild it against Electron's headers (see docs/desktop.md).`,
  };
}

/** Every `.node` file under a folder (the packaged app's `app.asar.unpacked`). */
export function findNativeModules(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.node')) out.push(path);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** The `.node` files electron-builder unpacked next to the asar in its output folder. */
export function packagedNativeModules(releaseDir: string): string[] {
  return findNativeModules(releaseDir).filter((file) => file.split(/[\\/]/).includes('app.asar.unpacked'));
}

/** Checks every packaged native module; fails when there is none (the package would lack SQLite). */
export function verifyPackagedAbi(releaseDir: string, expectedAbi: number): { ok: boolean; lines: string[] } {
  const files = packagedNativeModules(releaseDir);
  if (files.length === 0) {
    return { ok: false, lines: [`No native module found under ${releaseDir}/**/app.asar.unpacked: better-sqlite3 is missing from the package`] };
  }
  const checks = files.map((file) => checkNativeModuleAbi(file, expectedAbi));
  return { ok: checks.every((check) => check.ok), lines: checks.map((check) => check.message) };
}
