import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LockHolder } from '../db/data-dir-lock';
import { writePrivateFileSync } from '../db/private-files';
import { LOCAL_CONTROL_HEADER } from '../http/local-control';
import { AccountService } from '../accounts/account-service';
import { PackageService } from '../packages/package-service';
import { ChannelService } from '../channels/channel-service';
import { ConfigTransfer } from '../config-transfer/config-transfer';
import { CONFIG_EXPORT_PATH, CONFIG_IMPORT_PATH } from '../config-transfer/config-routes';
import type { CasContext } from '../kernel/context';
import { ApiError, isApiErrorBody } from '../../src-shared/errors';
import {
  configFileSchema,
  configImportResultSchema,
  configPassphraseSchema,
  type ConfigFile,
  type ConfigImportResult,
} from '../../src-shared/schemas/config-transfer';
import { readStdin } from './options';
import { withLockedStore } from './locked-store';

const cliActor = { id: null, name: 'cli' };

function transferOf(ctx: CasContext): ConfigTransfer {
  return new ConfigTransfer(ctx, { accounts: new AccountService(ctx), packages: new PackageService(ctx), channels: new ChannelService(ctx) });
}

/** Fails the command with a message and exit code 2 (the caller's mistake, nothing changed). */
function refuse(message: string): never {
  console.error(message);
  process.exit(2);
}

async function passphraseFromStdin(enabled: boolean | undefined): Promise<string> {
  if (!enabled) refuse('Give the passphrase on standard input with --passphrase-stdin (it never goes on the command line)');
  const parsed = configPassphraseSchema.safeParse(await readStdin());
  if (!parsed.success) refuse(`passphrase: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Calls the running CAS's admin API with the local control token (see http/local-control.ts). */
async function callRunningCas(holder: LockHolder, path: string, body: unknown): Promise<unknown> {
  const answer = await fetch(`${holder.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [LOCAL_CONTROL_HEADER]: holder.controlToken ?? '' },
    body: JSON.stringify(body),
  });
  const parsed: unknown = await answer.json().catch(() => null);
  if (answer.ok) return parsed;
  refuse(`The running CAS (process ${holder.pid}) refused: ${isApiErrorBody(parsed) ? parsed.error.message : answer.status}`);
}

/** Runs `offline` on the stopped folder, or `online` through the CAS that holds its lock. */
function throughCasOrOffline<T>(dataDir: string, online: (holder: LockHolder) => Promise<T>, offline: (ctx: CasContext) => Promise<T>): Promise<T> {
  return withLockedStore(
    dataDir,
    async ({ ctx }) => {
      try {
        return await offline(ctx);
      } catch (error) {
        if (error instanceof ApiError) refuse(error.message);
        throw error;
      }
    },
    { whenLocked: online },
  );
}

function describe(result: ConfigImportResult): string {
  const line = (what: string, c: ConfigImportResult['packages']) => `${what}: ${c.created} new, ${c.updated} changed, ${c.unchanged} unchanged`;
  return [
    result.dryRun ? 'Dry run, nothing written. The import would change:' : 'Imported in one transaction:',
    line('packages', result.packages),
    line('channels', result.channels),
    line('accounts', result.accounts),
    `settings: ${result.settings.length ? result.settings.join(', ') : 'none changed'}`,
  ].join('\n  ');
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Move the whole configuration (packages, channels, accounts, settings) between CAS machines');
  config
    .command('export')
    .description('Write the configuration to one JSON file; tokens, password hashes (and secrets, if asked) sealed under a passphrase')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .requiredOption('--out <file>', 'the file to write (must not exist)')
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--include-secrets', 'also carry the settings secrets (URL-signing secrets, …), sealed')
    .action(async (options: { dataDir: string; out: string; passphraseStdin?: boolean; includeSecrets?: boolean }) => {
      const dataDir = resolve(options.dataDir);
      const out = resolve(options.out);
      if (existsSync(out)) refuse(`${out} exists already; choose a new file`);
      const request = { passphrase: await passphraseFromStdin(options.passphraseStdin), includeSecrets: options.includeSecrets === true };
      const file: ConfigFile = await throughCasOrOffline(
        dataDir,
        async (holder) => configFileSchema.parse(await callRunningCas(holder, CONFIG_EXPORT_PATH, request)),
        (ctx) => transferOf(ctx).export(request, cliActor.name),
      );
      const partial = `${out}.partial`;
      try {
        writePrivateFileSync(partial, `${JSON.stringify(file, null, 2)}\n`);
        renameSync(partial, out);
      } finally {
        rmSync(partial, { force: true });
      }
      console.log(`Configuration written to ${out}: ${file.packages.length} packages, ${file.channels.length} channels, ${file.accounts.length} accounts${file.includesSecrets ? ', secrets' : ''}`);
    });

  config
    .command('import')
    .description('Import a configuration file (adds and overwrites, deletes nothing) in one transaction; --dry-run only reports')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .requiredOption('--from <file>', 'the configuration file')
    .option('--passphrase-stdin', 'read the passphrase from standard input')
    .option('--dry-run', 'report what would change and write nothing')
    .action(async (options: { dataDir: string; from: string; passphraseStdin?: boolean; dryRun?: boolean }) => {
      const dataDir = resolve(options.dataDir);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(resolve(options.from), 'utf8'));
      } catch (error) {
        refuse(`${options.from} is not a JSON file: ${error instanceof Error ? error.message : String(error)}`);
      }
      const parsed = configFileSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        refuse(`${options.from}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
      }
      const request = { passphrase: await passphraseFromStdin(options.passphraseStdin), dryRun: options.dryRun === true };
      const result = await throughCasOrOffline(
        dataDir,
        async (holder) => configImportResultSchema.parse(await callRunningCas(holder, CONFIG_IMPORT_PATH, { ...request, file: raw })),
        (ctx) => transferOf(ctx).import(parsed.data, request, cliActor),
      );
      console.log(describe(result));
    });
}
