import type { Migration } from '../migrate';
import { coreMigration } from './0010-core';
import { accessMigration } from './0100-access';
import { contentKeysMigration } from './0200-content-keys';
import { devicesMigration } from './0300-devices';
import { apiKeyChannelsMigration } from './0410-api-key-channels';
import { accessLogCountsMigration } from './0420-access-log-counts';
import { masterKeyCheckMigration } from './0430-master-key-check';
import { cencKeysMigration } from './0440-cenc-keys';
import { auditChangesMigration } from './0450-audit-changes';
import { publicBaseUrlMigration } from './0460-public-base-url';
import { findingMigration } from './0470-finding';

/**
 * Every schema migration, in order. Numbering leaves room per capability:
 * 10–99 core, 100–199 access control, 200–299 content keys, 300–399 devices; later changes to
 * any of them come above the newest (a database only migrates upwards).
 */
export const migrations: readonly Migration[] = [
  coreMigration,
  accessMigration,
  contentKeysMigration,
  devicesMigration,
  apiKeyChannelsMigration,
  accessLogCountsMigration,
  masterKeyCheckMigration,
  cencKeysMigration,
  auditChangesMigration,
  publicBaseUrlMigration,
  findingMigration,
];
