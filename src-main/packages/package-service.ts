import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { fieldChanges } from '../audit/audit-diff';
import { type Actor } from '../kernel/actor';
import { assertChannelsExist } from '../channels/channel-service';
import { channelsByPackage, channelsOfPackage, replacePackageChannels } from '../channels/channel-queries';
import { holderCountsByPackage, packageHolderCount } from '../accounts/account-queries';
import { allPackageRows, deletePackage, insertPackage, packageRowById, updatePackage, type PackageRow } from './package-queries';
import { ConflictError, NotFoundError } from '../../src-shared/errors';
import type { Package, packageCreateSchema, packageUpdateSchema } from '../../src-shared/schemas/packages';

/** Channel packages (Basic, Basic+, Premium, ...): what a subscriber buys. */
export class PackageService {
  constructor(private readonly ctx: CasContext) {}

  list(): Package[] {
    const rows = allPackageRows(this.ctx.db);
    const channelMap = channelsByPackage(this.ctx.db);
    const countMap = holderCountsByPackage(this.ctx.db);
    return rows.map((row) => this.#toPackage(row, channelMap.get(row.id) ?? [], countMap.get(row.id) ?? 0));
  }

  get(id: string): Package {
    const row = packageRowById(this.ctx.db, id);
    if (!row) throw new NotFoundError('package_not_found', { id }, `Package "${id}" not found`);
    return this.#toPackage(row, channelsOfPackage(this.ctx.db, id), packageHolderCount(this.ctx.db, id));
  }

  create(input: z.output<typeof packageCreateSchema>, actor: Actor): Package {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      if (packageRowById(db, input.id)) {
        throw new ConflictError('package_exists', { id: input.id }, `Package "${input.id}" exists`, 'id');
      }
      assertChannelsExist(this.ctx, input.channels);
      const now = clock.now();
      insertPackage(db, { id: input.id, name: input.name, description: input.description, created_at: now, updated_at: now });
      replacePackageChannels(db, input.id, input.channels);
      recordAudit(db, now, actor, { action: 'package.create', targetType: 'package', targetId: input.id, summary: input });
    })();
    this.ctx.events.emit('packages-changed', [input.id]);
    return this.get(input.id);
  }

  update(id: string, patch: z.output<typeof packageUpdateSchema>, actor: Actor): Package {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = packageRowById(db, id);
      if (!row) throw new NotFoundError('package_not_found', { id }, `Package "${id}" not found`);
      const before = this.get(id);
      if (patch.channels) assertChannelsExist(this.ctx, patch.channels);
      const now = clock.now();
      updatePackage(db, id, { name: patch.name ?? row.name, description: patch.description ?? row.description, updated_at: now });
      if (patch.channels) replacePackageChannels(db, id, patch.channels);
      recordAudit(db, now, actor, {
        action: 'package.update',
        targetType: 'package',
        targetId: id,
        changes: fieldChanges(before, this.get(id), { ignore: ['accountCount'] }),
      });
    })();
    this.ctx.events.emit('packages-changed', [id]);
    return this.get(id);
  }

  /** Refuses to drop a package subscribers still hold unless `force` is given. */
  delete(id: string, force: boolean, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const existing = this.get(id);
      if (existing.accountCount > 0 && !force) {
        throw new ConflictError(
          'package_in_use',
          { id, count: existing.accountCount },
          `Package "${id}" is held by ${existing.accountCount} account(s); delete with force=true to remove it from them`,
        );
      }
      deletePackage(db, id);
      recordAudit(db, clock.now(), actor, {
        action: 'package.delete',
        targetType: 'package',
        targetId: id,
        summary: { name: existing.name, accountsAffected: existing.accountCount },
      });
    })();
    this.ctx.events.emit('packages-changed', [id]);
    this.ctx.events.emit('accounts-changed', null);
  }

  #toPackage(row: PackageRow, channels: string[], accountCount: number): Package {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      channels,
      accountCount,
      createdAt: isoFromMs(row.created_at),
      updatedAt: isoFromMs(row.updated_at),
    };
  }
}
