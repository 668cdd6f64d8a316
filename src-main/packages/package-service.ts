import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { statement } from '../db/statements';
import { assertChannelsExist } from '../channels/channel-service';
import { ConflictError, NotFoundError } from '../../src-shared/errors';
import type { Package, packageCreateSchema, packageUpdateSchema } from '../../src-shared/schemas/packages';

interface PackageRow {
  id: string;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

function replaceChannels(ctx: CasContext, packageId: string, channels: readonly string[]): void {
  statement(ctx.db, 'DELETE FROM channel_packages WHERE package_id = ?').run(packageId);
  const insert = statement(ctx.db, 'INSERT INTO channel_packages (channel_id, package_id) VALUES (?, ?)');
  for (const channel of new Set(channels)) insert.run(channel, packageId);
}

/** Channel packages (Basic, Basic+, Premium, ...): what a subscriber buys. */
export class PackageService {
  constructor(private readonly ctx: CasContext) {}

  list(): Package[] {
    const rows = statement(this.ctx.db, 'SELECT * FROM packages ORDER BY name, id').all() as PackageRow[];
    const channels = statement(this.ctx.db, 'SELECT package_id, channel_id FROM channel_packages ORDER BY channel_id').all() as Array<{
      package_id: string;
      channel_id: string;
    }>;
    const counts = statement(this.ctx.db, 'SELECT package_id, count(*) AS n FROM account_packages GROUP BY package_id').all() as Array<{
      package_id: string;
      n: number;
    }>;
    const channelMap = new Map<string, string[]>();
    for (const row of channels) channelMap.set(row.package_id, [...(channelMap.get(row.package_id) ?? []), row.channel_id]);
    const countMap = new Map(counts.map((c) => [c.package_id, c.n]));
    return rows.map((row) => this.#toPackage(row, channelMap.get(row.id) ?? [], countMap.get(row.id) ?? 0));
  }

  get(id: string): Package {
    const row = statement(this.ctx.db, 'SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
    if (!row) throw new NotFoundError(`Package "${id}"`);
    const channels = (
      statement(this.ctx.db, 'SELECT channel_id FROM channel_packages WHERE package_id = ? ORDER BY channel_id').all(id) as Array<{
        channel_id: string;
      }>
    ).map((r) => r.channel_id);
    const count = (statement(this.ctx.db, 'SELECT count(*) AS n FROM account_packages WHERE package_id = ?').get(id) as { n: number }).n;
    return this.#toPackage(row, channels, count);
  }

  create(input: z.output<typeof packageCreateSchema>, actor: Actor): Package {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      if (statement(db, 'SELECT 1 FROM packages WHERE id = ?').get(input.id)) {
        throw new ConflictError(`Package "${input.id}" exists`, 'id');
      }
      assertChannelsExist(this.ctx, input.channels);
      const now = clock.now();
      statement(db, 'INSERT INTO packages (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
        input.id,
        input.name,
        input.description,
        now,
        now,
      );
      replaceChannels(this.ctx, input.id, input.channels);
      recordAudit(db, now, actor, { action: 'package.create', targetType: 'package', targetId: input.id, summary: input });
    })();
    this.ctx.events.emit('packages-changed', [input.id]);
    return this.get(input.id);
  }

  update(id: string, patch: z.output<typeof packageUpdateSchema>, actor: Actor): Package {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = statement(db, 'SELECT * FROM packages WHERE id = ?').get(id) as PackageRow | undefined;
      if (!row) throw new NotFoundError(`Package "${id}"`);
      if (patch.channels) assertChannelsExist(this.ctx, patch.channels);
      const now = clock.now();
      statement(db, 'UPDATE packages SET name = ?, description = ?, updated_at = ? WHERE id = ?').run(
        patch.name ?? row.name,
        patch.description ?? row.description,
        now,
        id,
      );
      if (patch.channels) replaceChannels(this.ctx, id, patch.channels);
      recordAudit(db, now, actor, { action: 'package.update', targetType: 'package', targetId: id, summary: patch });
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
          `Package "${id}" is held by ${existing.accountCount} account(s); delete with force=true to remove it from them`,
        );
      }
      statement(db, 'DELETE FROM packages WHERE id = ?').run(id);
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
