import type { Command } from 'commander';
import { defaultMasterKeyProvider } from '../crypto/master-key';
import { rekeyDatabase } from '../crypto/rekey';
import { withLockedStore } from './locked-store';

export function registerRekeyCommand(program: Command): void {
  program
    .command('rekey')
    .description('Re-encrypt every key and token at rest under a new master key, atomically (stop the CAS first)')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .action(async (options: { dataDir: string }) => {
      const provider = defaultMasterKeyProvider(options.dataDir);
      await withLockedStore(
        options.dataDir,
        async ({ ctx, db }) => {
          try {
            const report = await rekeyDatabase(db, ctx.vault, provider);
            const detail = Object.entries(report.counts)
              .filter(([, n]) => n > 0)
              .map(([column, n]) => `${column}: ${n}`)
              .join(', ');
            console.log(`Re-encrypted ${report.total} values under a new master key (${provider.description})${detail ? `: ${detail}` : ''}`);
          } catch (error) {
            console.error(`Re-key failed, nothing changed: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = 1;
          }
        },
        { masterKeyProvider: provider },
      );
    });
}
