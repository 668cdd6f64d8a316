import type { Command } from 'commander';
import { startCas, DEFAULT_ADMIN_PORT, DEFAULT_API_PORT } from '../app/cas';
import { createLogger } from '../kernel/logger';
import { PortInUseError } from '../http/http-server';
import { parsePort } from './options';
import { DataDirLockedError } from '../db/data-dir-lock';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the CAS headless: the admin API on loopback and the client API on the LAN')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .option('--admin-port <port>', 'admin API and dashboard port (loopback)', parsePort, DEFAULT_ADMIN_PORT)
    .option('--admin-host <host>', 'admin listener address; keep loopback unless you mean to expose it', '127.0.0.1')
    .option('--api-port <port>', 'client API port (streaming servers, players, packagers)', parsePort, DEFAULT_API_PORT)
    .option('--api-host <host>', 'client API address', '0.0.0.0')
    .option('--log-format <format>', 'json or pretty (default: pretty on a terminal)')
    .action(async (options: { dataDir: string; adminPort: number; adminHost: string; apiPort: number; apiHost: string; logFormat?: string }) => {
      const logger = createLogger({ pretty: options.logFormat ? options.logFormat === 'pretty' : process.stdout.isTTY });
      const password = process.env.CAS_ADMIN_PASSWORD;
      let cas;
      try {
        cas = await startCas({
          dataDir: options.dataDir,
          adminPort: options.adminPort,
          adminHost: options.adminHost,
          apiPort: options.apiPort,
          apiHost: options.apiHost,
          logger,
          bootstrapAdmin: password ? { username: 'admin', password } : undefined,
        });
      } catch (error) {
        if (error instanceof PortInUseError) {
          console.error(`${error.message}; choose another with --${error.listener === 'admin' ? 'admin' : 'api'}-port`);
          process.exit(2);
        }
        if (error instanceof DataDirLockedError) {
          console.error(error.message);
          process.exit(2);
        }
        throw error;
      }
      console.log(`IPTV CAS Studio ${cas.ctx.runtime.version}: dashboard ${cas.adminUrl}/admin  client API ${cas.apiUrl}`);
      if (cas.needsSetup) {
        console.log(
          `No administrator yet: open ${cas.adminUrl}/admin, or run: npx cas-studio admin create --data-dir ${options.dataDir} --username NAME --password-stdin`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        cas
          .close()
          .then(() => {
            logger.info('stopped');
            logger.flush();
            process.exit(0);
          })
          .catch((error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          });
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
