import type { Db } from '../db/connection';
import type { TlsSummary } from '../../src-shared/schemas/system';
import type { Metrics } from './metrics';
import type { Vault } from '../crypto/vault';
import type { Logger } from './logger';
import type { SettingsStore } from './settings-store';
import type { Alarms } from './alarms';
import type { Clock } from './clock';
import type { CasEvents } from './events';

/** Facts about the running CAS shown on the dashboard and in `/healthz`. */
interface RuntimeInfo {
  version: string;
  startedAt: number;
  dataDir: string;
  databaseFile: string;
  adminUrl: string | null;
  apiUrl: string | null;
  /** The address the client listener binds (`0.0.0.0` for every interface). */
  apiHost: string | null;
  /** The client listener's HTTPS address and the certificate it serves now (null without HTTPS). */
  apiTlsUrl: string | null;
  tls: TlsSummary | null;
}

/** What every domain module gets: the store, the master-key vault, time, logs and settings. */
export interface CasContext {
  db: Db;
  vault: Vault;
  clock: Clock;
  logger: Logger;
  settings: SettingsStore;
  events: CasEvents;
  runtime: RuntimeInfo;
  /** Failing background writes, shown on `/healthz` and the dashboard. */
  alarms: Alarms;
  /** Counters and histograms of the hot paths, scraped at `GET /metrics`. */
  metrics: Metrics;
}
