import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase, type Db } from '../db/connection';
import { migrate } from '../db/migrate';
import { migrations } from '../db/migrations';
import { Vault } from '../crypto/vault';
import { defaultMasterKeyProvider, type MasterKeyProvider } from '../crypto/master-key';
import { createLogger, type Logger } from '../kernel/logger';
import { SettingsStore } from '../kernel/settings-store';
import { createHttpListener, type HttpListener } from '../http/http-server';
import { OpenApiRegistry } from '../http/openapi';
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
import { appVersion } from '../kernel/version';

export const DEFAULT_ADMIN_PORT = 5050;
export const DEFAULT_API_PORT = 8100;

export interface CasOptions {
  dataDir: string;
  adminHost?: string;
  adminPort?: number;
  apiHost?: string;
  apiPort?: number;
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
  apiUrl: string;
  /** True when no administrator exists: the operator must create one (CLI or first-run page). */
  needsSetup: boolean;
  close(): Promise<void>;
}

/** Opens (or creates) the data folder's database and brings it to the current schema. */
export async function openStore(
  dataDir: string,
  options: { masterKeyProvider?: MasterKeyProvider; logger?: Logger; clock?: Clock } = {},
): Promise<{ ctx: CasContext; db: Db }> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logger = options.logger ?? createLogger();
  const clock = options.clock ?? systemClock;
  const keyProvider = options.masterKeyProvider ?? defaultMasterKeyProvider(dir);
  const masterKey = await keyProvider.load();
  const databaseFile = join(dir, 'cas.db');
  const db = openDatabase(databaseFile);
  try {
    const { from, to } = migrate(db, migrations);
    if (from !== to) logger.info({ from, to }, 'database migrated');
    const vault = new Vault(masterKey);
    masterKey.fill(0);
    const ctx: CasContext = {
      db,
      vault,
      clock,
      logger,
      settings: new SettingsStore(db, vault, clock),
      events: new CasEvents(),
      runtime: { version: appVersion(), startedAt: clock.now(), dataDir: dir, databaseFile, adminUrl: null, apiUrl: null },
      alarms: new Alarms(logger, clock),
    };
    return { ctx, db };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Starts the whole CAS: store, services, background jobs and both listeners. The desktop shell
 * and `cas-studio serve` both call this; `close()` undoes it in reverse order.
 */
export async function startCas(options: CasOptions): Promise<RunningCas> {
  const { ctx, db } = await openStore(options.dataDir, options);
  const background = new BackgroundTasks(ctx.logger, ctx.alarms);
  const services = createServices(ctx, background);
  const listeners: HttpListener[] = [];
  const shutdown = async () => {
    // Stop taking requests first, then flush what services buffered, then close the store.
    await Promise.all(listeners.map((l) => l.close()));
    background.stop();
    db.close();
  };
  try {
    if (options.bootstrapAdmin && !services.sessions.hasAdmin()) {
      await createFirstAdmin(services.sessions, services.accounts, options.bootstrapAdmin, 'Created on first start');
      ctx.logger.info({ username: options.bootstrapAdmin.username }, 'first administrator created');
    }
    const openapi = new OpenApiRegistry();
    const adminHost = options.adminHost ?? '127.0.0.1';
    const loopbackOnly = isLoopbackHost(adminHost);
    const admin = createHttpListener('admin', createAdminApp(ctx, services, openapi, { loopbackOnly }), adminHost, options.adminPort ?? DEFAULT_ADMIN_PORT);
    const client = createHttpListener('client', createClientApp(ctx, services, openapi), options.apiHost ?? '0.0.0.0', options.apiPort ?? DEFAULT_API_PORT);
    const adminBound = await admin.listen();
    listeners.push(admin);
    const clientBound = await client.listen();
    listeners.push(client);
    ctx.runtime.adminUrl = adminBound.url;
    ctx.runtime.apiUrl = clientBound.url;
    ctx.logger.info({ admin: adminBound.url, api: `${clientBound.host}:${clientBound.port}` }, 'CAS listening');
    let closing: Promise<void> | null = null;
    return {
      ctx,
      services,
      adminUrl: adminBound.url,
      apiUrl: clientBound.url,
      needsSetup: !services.sessions.hasAdmin(),
      close: () => (closing ??= shutdown()),
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
}
