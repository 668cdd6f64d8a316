import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError } from '../../src-shared/errors';
import { backupNameSchema, type BackupInfo, type BackupList } from '../../src-shared/schemas/backups';
import type { CasContext } from '../kernel/context';
import type { BackgroundTasks } from '../kernel/background';
import { isoFromMs } from '../kernel/clock';
import { recordedKeyCheckValue } from '../crypto/master-key-check';
import { readBackupFacts } from './backup-file';
import { writeBackup } from './online-backup';

const SCHEDULE_TICK_MS = 60_000;

/** `cas-20250101T120000123Z.db`: sortable, and the only names the folder's list shows. */
export function backupNameFor(ms: number): string {
  return `cas-${new Date(ms).toISOString().replace(/[-:.]/g, '')}.db`;
}

/** When a backup was made, read back from its name. */
function createdAtOf(name: string): string {
  const [, y, mo, d, h, mi, sec, ms] = /^cas-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})?Z/.exec(name) ?? [];
  return `${y}-${mo}-${d}T${h}:${mi}:${sec}.${ms ?? '000'}Z`;
}

/** Online backups of the running CAS: on demand, on a schedule (keep N), listed and downloadable. */
export class BackupService {
  constructor(private readonly ctx: CasContext) {}

  folder(): string {
    return this.ctx.settings.get().backupFolder ?? join(this.ctx.runtime.dataDir, 'backups');
  }

  async create(): Promise<BackupInfo> {
    const folder = this.folder();
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const createdAt = this.ctx.clock.now();
    const name = backupNameFor(createdAt);
    const facts = await writeBackup(this.ctx.db, join(folder, name));
    this.ctx.logger.info({ backup: join(folder, name), bytes: facts.bytes, keyCheckValue: facts.keyCheckValue }, 'backup written and verified');
    return { name, createdAt: isoFromMs(createdAt), ...facts };
  }

  list(): BackupList {
    const folder = this.folder();
    let names: string[] = [];
    try {
      names = readdirSync(folder).filter((name) => backupNameSchema.safeParse(name).success);
    } catch {
      // No folder yet: no backups.
    }
    const items = names
      .sort()
      .reverse()
      .map((name) => ({ name, createdAt: createdAtOf(name), ...readBackupFacts(join(folder, name)) }));
    return { folder, keyCheckValue: recordedKeyCheckValue(this.ctx.db) ?? '', items };
  }

  /** The file of a backup listed in the folder (the name is validated by the route). */
  fileOf(name: string): string {
    const file = join(this.folder(), name);
    try {
      statSync(file);
    } catch {
      throw new NotFoundError('backup_not_found', { name }, `Backup ${name} not found`);
    }
    return file;
  }

  /** Keeps the newest `keep` backups of the folder. */
  prune(keep: number): void {
    for (const { name } of this.list().items.slice(keep)) rmSync(join(this.folder(), name), { force: true });
  }

  /** One scheduled step: a backup when the newest is older than the interval, then pruning. */
  async runSchedule(): Promise<BackupInfo | null> {
    const { backupIntervalHours, backupKeep } = this.ctx.settings.get();
    if (backupIntervalHours === 0) return null;
    const newest = this.list().items[0];
    if (newest && this.ctx.clock.now() - Date.parse(newest.createdAt) < backupIntervalHours * 3_600_000) return null;
    const made = await this.create();
    this.prune(backupKeep);
    return made;
  }

  schedule(background: BackgroundTasks): void {
    background.every('scheduled-backup', SCHEDULE_TICK_MS, () => this.runSchedule());
  }
}
