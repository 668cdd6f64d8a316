import type { Migration } from '../migrate';
import { coreMigration } from './0010-core';

/**
 * Every schema migration, in order. Numbering leaves room per capability:
 * 10–99 core, 100–199 access control, 200–299 content keys, 300–399 devices.
 */
export const migrations: readonly Migration[] = [coreMigration];
