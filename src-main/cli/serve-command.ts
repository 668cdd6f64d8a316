import type { Command } from 'commander';
import { hostname } from 'node:os';
import { startCas, DEFAULT_ADMIN_PORT, DEFAULT_API_PORT } from '../app/cas';
import { DEFAULT_API_TLS_PORT, type ApiTlsOptions } from '../app/api-tls';
import { createLogger, openLogFile } from '../kernel/logger';
import { logFileBaseOf } from '../kernel/log-files';
import { PortInUseError } from '../http/http-server';
import { TlsConfigError } from '../http/tls-certificate';
import { parsePort } from './options';
import { DataDirLockedError } from '../db/data-dir-lock';

interface ServeOptions {
  dataDir: string;
  adminPort: number;
  adminHost: string;
  apiPort: number;
  apiHost: string;
  logFormat?: string;
  apiTlsCert?: string;
  apiTlsKey?: string;
  apiTlsSelfSigned?: boolean;
  apiTlsNames: string;
  apiTlsPort: number;
  apiHttp: boolean;
  adminTls?: boolean;
}

/** The certificate asked for on the command line, or null (an error message when the flags contradict). */
function apiTlsOf(options: ServeOptions): ApiTlsOptions | null | string {
  const files = options.apiTlsCert !== undefined || options.apiTlsKey !== undefined;
  if (files && options.apiTlsSelfSigned) return '--api-tls-self-signed and --api-tls-cert/--api-tls-key exclude each other';
  if (files) {
    if (!options.apiTlsCert || !options.apiTlsKey) return '--api-tls-cert and --api-tls-key go together';
    return { certFile: options.apiTlsCert, keyFile: options.apiTlsKey };
  }
  if (options.apiTlsSelfSigned) return { selfSignedNames: options.apiTlsNames.split(',').map((n) => n.trim()).filter(Boolean) };
  return null;
}

const LISTENER_PORT_FLAGS: Record<string, string> = { admin: '--admin-port', client: '--api-port', 'client-tls': '--api-tls-port' };

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the CAS headless: the admin API on loopback and the client API on the LAN')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .option('--admin-port <port>', 'admin API and dashboard port (loopback)', parsePort, DEFAULT_ADMIN_PORT)
    .option('--admin-host <host>', 'admin listener address; keep loopback unless you mean to expose it', '127.0.0.1')
    .option('--api-port <port>', 'client API port (streaming servers, players, packagers)', parsePort, DEFAULT_API_PORT)
    .option('--api-host <host>', 'client API address', '0.0.0.0')
    .option('--api-tls-cert <file>', 'PEM certificate (chain) for HTTPS on the client API', process.env.CAS_API_TLS_CERT)
    .option('--api-tls-key <file>', 'PEM private key of --api-tls-cert', process.env.CAS_API_TLS_KEY)
    .option('--api-tls-self-signed', 'HTTPS with a self-signed certificate kept in the data folder (tls/)')
    .option('--api-tls-names <list>', 'comma-separated DNS names and IP addresses of the self-signed certificate', `localhost,127.0.0.1,::1,${hostname()}`)
    .option('--api-tls-port <port>', 'client API HTTPS port', parsePort, DEFAULT_API_TLS_PORT)
    .option('--no-api-http', 'serve the client API over HTTPS only')
    .option('--admin-tls', 'the admin listener serves HTTPS with the same certificate')
    .option('--log-format <format>', 'json or pretty (default: pretty on a terminal); the data folder keeps JSON in logs/cas.N.log')
    .action(async (options: ServeOptions) => {
      const logger = createLogger({
        pretty: options.logFormat ? options.logFormat === 'pretty' : process.stdout.isTTY,
        file: await openLogFile(logFileBaseOf(options.dataDir)),
      });
      const password = process.env.CAS_ADMIN_PASSWORD;
      const apiTls = apiTlsOf(options);
      if (typeof apiTls === 'string') {
        console.error(apiTls);
        process.exit(2);
      }
      let cas;
      try {
        cas = await startCas({
          dataDir: options.dataDir,
          adminPort: options.adminPort,
          adminHost: options.adminHost,
          apiPort: options.apiPort,
          apiHost: options.apiHost,
          apiTls: apiTls ?? undefined,
          apiTlsPort: options.apiTlsPort,
          apiHttp: options.apiHttp,
          adminTls: options.adminTls,
          logger,
          bootstrapAdmin: password ? { username: 'admin', password } : undefined,
        });
      } catch (error) {
        if (error instanceof PortInUseError) {
          console.error(`${error.message}; choose another with ${LISTENER_PORT_FLAGS[error.listener] ?? '--api-port'}`);
          process.exit(2);
        }
        if (error instanceof TlsConfigError) {
          console.error(error.message);
          process.exit(2);
        }
        if (error instanceof DataDirLockedError) {
          console.error(error.message);
          process.exit(2);
        }
        throw error;
      }
      // Signal handlers before the ready line: whoever waits for that line may stop us at once.
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
      // Renewed certificate files are picked up within seconds anyway; SIGHUP reloads them now.
      process.on('SIGHUP', () => cas.tls?.reload());
      console.log(`IPTV CAS Studio ${cas.ctx.runtime.version}: dashboard ${cas.adminUrl}/admin  client API ${cas.apiUrl}`);
      const tls = cas.ctx.runtime.tls;
      if (tls) {
        console.log(`HTTPS ${cas.apiTlsUrl} for ${tls.names.join(', ')}; certificate SHA-256 fingerprint ${tls.fingerprint256}${tls.selfSigned ? ' (self-signed: clients trust this certificate)' : ''}`);
      }
      if (cas.needsSetup) {
        console.log(
          `No administrator yet: open ${cas.adminUrl}/admin, or run: npx cas-studio admin create --data-dir ${options.dataDir} --username NAME --password-stdin`,
        );
      }
    });
}
