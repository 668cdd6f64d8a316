import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../db/connection';
import { migrate } from '../db/migrate';
import { migrations } from '../db/migrations';
import { Vault } from '../crypto/vault';
import { assertMasterKeyFits, holdsSealedData, recordKeyCheckValue } from '../crypto/master-key-check';
import { defaultMasterKeyProvider, type MasterKeyProvider } from '../crypto/master-key';
import { createLogger, type Logger } from '../kernel/logger';
import { SettingsStore } from '../kernel/settings-store';
import { createHttpListener, type HttpListener } from '../http/http-server';
import { OpenApiRegistry } from '../http/openapi';
import { LocalControl } from '../http/local-control';
import { isLoopbackHost } from '../http/loopback';
import { createAdminApp } from './admin-app';
import { createClientApp } from './client-app';
import { createFirstAdmin } from '../admin-auth/first-admin';
import { Alarms } from '../kernel/alarms';
import { BackgroundTasks } from '../kernel/background';
import { systemClock, type Clock } from '../kernel/clock';
import type { CasContext } from '../kernel/context';
import { CasEvents } from '../kernel/events';
import { createServices, type CasServices } from './services';
import { fillMissingTokenPrefixes } from '../accounts/token-prefixes';
import { appVersion } from '../kernel/version';
import { Metrics } from '../kernel/metrics';
import type { TlsCertificate } from '../http/tls-certificate';
import { DEFAULT_API_TLS_PORT, loadApiCertificate, type ApiTlsOptions } from './api-tls';
import { registerCasMetrics } from './metrics-routes';
import { DataDirLock } from '../db/data-dir-lock';
import { restoreDatabase } from '../backups/restore';
import type { RestartOnto } from '../backups/backup-routes';

export const DEFAULT_ADMIN_PORT = 5050;
export const DEFAULT_API_PORT = 8100;

export interface CasOptions {
  dataDir: string;
  adminHost?: string;
  adminPort?: number;
  apiHost?: string;
  apiPort?: number;
  /** HTTPS on the client listener (on `apiTlsPort`), beside HTTP unless `apiHttp` is false. */
  apiTls?: ApiTlsOptions;
  apiTlsPort?: number;
  apiHttp?: boolean;
  /** The admin listener serves HTTPS with the same certificate (needs `apiTls`). */
  adminTls?: boolean;
  /** How often the certificate files are checked for a renewal. */
  tlsWatchIntervalMs?: number;
  masterKeyProvider?: MasterKeyProvider;
  logger?: Logger;
  clock?: Clock;
  /** Creates this admin when the data folder has none yet (`CAS_ADMIN_PASSWORD` on first serve). */
  bootstrapAdmin?: { username: string; password: string };
}

export interface RunningCas {
  ctx: CasContext;
  services: CasServices;
  adminUrl: string;
  /** The client listener's HTTP address, or its HTTPS address when HTTP is off. */
  apiUrl: string;
  apiTlsUrl: string | null;
  /** The certificate of the HTTPS listeners (`reload()` on SIGHUP), or null. */
  tls: TlsCertificate | null;
  /** True when no administrator exists: the operator must create one (CLI or first-run page). */
  needsSetup: boolean;
  close(): Promise<void>;
}

/** Creates the data folder (owner-only) if needed; returns its absolute path. */
function ensureDataDir(dataDir: string): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Opens (or creates) the data folder's database and brings it to the current schema. */
export async function openStore(
  dataDir: string,
  options: { masterKeyProvider?: MasterKeyProvider; logger?: Logger; clock?: Clock } = {},
): Promise<{ ctx: CasContext; db: Db }> {
  const dir = ensureDataDir(dataDir);
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const keyProvider = options.masterKeyProvider ?? defaultMasterKeyProvider(dir);
  const databaseFile = join(dir, 'cas.db');
  const db = openDatabase(databaseFile);
  try {
    // Everything up to the migration only reads: a refused key leaves the database untouched.
    const masterKey = await keyProvider.load({ mayCreate: !holdsSealedData(db) });
    assertMasterKeyFits(db, masterKey, keyProvider.description);
    const { from, to } = migrate(db, migrations);
    if (from !== to) logger.info({ from, to }, 'database migrated');
    recordKeyCheckValue(db, masterKey, clock.now());
    const vault = new Vault(masterKey);
    masterKey.fill(0);
    const ctx: CasContext = {
      db,
      vault,
      clock,
      logger,
      settings: new SettingsStore(db, vault, clock),
      events: new CasEvents(),
      runtime: { version: appVersion(), startedAt: clock.now(), dataDir: dir, databaseFile, adminUrl: null, apiUrl: null, apiHost: null, apiTlsUrl: null, tls: null },
      alarms: new Alarms(logger, clock),
      metrics: new Metrics(),
    };
    const prefixes = fillMissingTokenPrefixes(ctx);
    if (prefixes > 0) logger.info({ accounts: prefixes }, 'stored the token prefixes of older accounts');
    return { ctx, db };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** One run of the CAS on its data folder, whose lock the caller holds. */
interface Launched {
  ctx: CasContext;
  services: CasServices;
  adminUrl: string;
  apiUrl: string;
  apiTlsUrl: string | null;
  tls: TlsCertificate | null;
  /** Stops listeners, background jobs and the store; the lock stays held. */
  stop(): Promise<void>;
}

async function launch(options: CasOptions, lock: DataDirLock, restartOnto: RestartOnto, localControl: LocalControl): Promise<Launched> {
  if (options.adminTls && !options.apiTls) throw new Error('The admin listener can serve HTTPS only with a certificate (--api-tls-cert/--api-tls-key or --api-tls-self-signed)');
  if (options.apiHttp === false && !options.apiTls) throw new Error('With HTTP off the client listener needs HTTPS (--api-tls-cert/--api-tls-key or --api-tls-self-signed)');
  const { ctx, db } = await openStore(options.dataDir, options);
  const background = new BackgroundTasks(ctx.logger, ctx.alarms);
  const services = createServices(ctx, background);
  registerCasMetrics(ctx, services);
  const listeners: HttpListener[] = [];
  let tls: TlsCertificate | null = null;
  const stop = async () => {
    // Stop taking requests first, then flush what services buffered, then close the store.
    await Promise.all(listeners.map((l) => l.close()));
    tls?.stopWatching();
    background.stop();
    db.close();
  };
  try {
    if (options.bootstrapAdmin && !services.sessions.hasAdmin()) {
      await createFirstAdmin(services.sessions, services.accounts, options.bootstrapAdmin, 'Created on first start');
      ctx.logger.info({ username: options.bootstrapAdmin.username }, 'first administrator created');
    }
    const openapi = new OpenApiRegistry();
    tls = options.apiTls ? await loadApiCertificate(ctx, options.apiTls, options.tlsWatchIntervalMs) : null;
    const adminHost = options.adminHost ?? '127.0.0.1';
    const apiHost = options.apiHost ?? '0.0.0.0';
    const loopbackOnly = isLoopbackHost(adminHost);
    const clientApp = createClientApp(ctx, services, openapi);
    const admin = createHttpListener('admin', createAdminApp(ctx, services, openapi, { loopbackOnly, restartOnto, localControl }), adminHost, options.adminPort ?? DEFAULT_ADMIN_PORT, options.adminTls ? (tls ?? undefined) : undefined);
    const adminBound = await admin.listen();
    listeners.push(admin);
    let clientUrl: string | null = null;
    if (options.apiHttp !== false) {
      const client = createHttpListener('client', clientApp, apiHost, options.apiPort ?? DEFAULT_API_PORT);
      clientUrl = (await client.listen()).url;
      listeners.push(client);
    }
    let clientTlsUrl: string | null = null;
    if (tls) {
      const clientTls = createHttpListener('client-tls', clientApp, apiHost, options.apiTlsPort ?? DEFAULT_API_TLS_PORT, tls);
      clientTlsUrl = (await clientTls.listen()).url;
      listeners.push(clientTls);
    }
    const apiUrl = (clientUrl ?? clientTlsUrl) as string;
    ctx.runtime.adminUrl = adminBound.url;
    ctx.runtime.apiUrl = apiUrl;
    ctx.runtime.apiHost = apiHost;
    ctx.runtime.apiTlsUrl = clientTlsUrl;
    lock.announce({ adminUrl: adminBound.url, apiUrl, controlToken: localControl.token });
    ctx.logger.info({ admin: adminBound.url, api: clientUrl, apiTls: clientTlsUrl, fingerprint256: ctx.runtime.tls?.fingerprint256 }, 'CAS listening');
    return { ctx, services, adminUrl: adminBound.url, apiUrl, apiTlsUrl: clientTlsUrl, tls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts the whole CAS: store, services, background jobs and both listeners, holding the data
 * folder's lock until `close()`. The desktop shell and `cas-studio serve` both call this;
 * `close()` undoes it in reverse order. Restoring a backup from the dashboard restarts it in
 * place onto the backup, on the same ports (see restartOntoBackup).
 */
export async function startCas(options: CasOptions): Promise<RunningCas> {
  const dataDir = ensureDataDir(options.dataDir);
  const lock = DataDirLock.acquire(dataDir);
  const localControl = new LocalControl();
  let current: Launched;
  let restarting: Promise<void> = Promise.resolve();
  const restartOnto: RestartOnto = (file) => {
    restarting = restarting.then(async () => {
      const samePorts = {
        adminPort: Number(new URL(current.adminUrl).port),
        ...(options.apiHttp !== false ? { apiPort: Number(new URL(current.apiUrl).port) } : {}),
        ...(current.apiTlsUrl ? { apiTlsPort: Number(new URL(current.apiTlsUrl).port) } : {}),
      };
      const logger = current.ctx.logger;
      await current.stop();
      await restoreOnto(dataDir, file, options.masterKeyProvider ?? defaultMasterKeyProvider(dataDir), logger);
      current = await launch({ ...options, ...samePorts }, lock, restartOnto, localControl);
    });
  };
  try {
    current = await launch(options, lock, restartOnto, localControl);
  } catch (error) {
    lock.release();
    throw error;
  }
  let closing: Promise<void> | null = null;
  return {
    get ctx() {
      return current.ctx;
    },
    get services() {
      return current.services;
    },
    get adminUrl() {
      return current.adminUrl;
    },
    get apiUrl() {
      return current.apiUrl;
    },
    get apiTlsUrl() {
      return current.apiTlsUrl;
    },
    get tls() {
      return current.tls;
    },
    needsSetup: !current.services.sessions.hasAdmin(),
    close: () =>
      (closing ??= (async () => {
        await restarting.catch(() => undefined);
        await current.stop();
        lock.release();
      })()),
  };
}

/** Swaps the stopped CAS's database for a backup; a refused backup leaves the current one in place. */
async function restoreOnto(dataDir: string, file: string, keyProvider: MasterKeyProvider, logger: Logger): Promise<void> {
  const masterKey = await keyProvider.load({ mayCreate: false });
  try {
    const restored = restoreDatabase(dataDir, file, masterKey, keyProvider.description, Date.now());
    logger.warn({ backup: file, previous: restored.previous }, 'database restored from a backup; restarting');
  } catch (error) {
    logger.error({ err: error, backup: file }, 'restore refused; restarting on the current database');
  } finally {
    masterKey.fill(0);
  }
}
