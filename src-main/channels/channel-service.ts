import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { statement } from '../db/statements';
import { ConflictError, NotFoundError, ValidationError } from '../../src-shared/errors';
import {
  defaultStreamPath,
  type Channel,
  type channelCreateSchema,
  type channelListQuerySchema,
  type channelUpdateSchema,
} from '../../src-shared/schemas/channels';
import type { Page } from '../../src-shared/schemas/common';
import { channelSummaryOf } from './channel-mapping';
import { saveChannelAccessFields, type ChannelAccessColumns } from './channel-access-fields';
import { saveChannelWatermark, watermarkOfRow, type ChannelWatermarkColumns } from '../watermarks/watermark-service';

export interface ChannelRow extends ChannelWatermarkColumns, ChannelAccessColumns {
  id: string;
  name: string;
  number: number | null;
  logo: string | null;
  stream_path: string;
  enabled: 0 | 1;
  crypto_period_seconds: number;
  hls_origin: string | null;
  created_at: number;
  updated_at: number;
}

export function channelRowById(ctx: CasContext, id: string): ChannelRow | undefined {
  return statement(ctx.db, 'SELECT * FROM channels WHERE id = ?').get(id) as ChannelRow | undefined;
}

/** Refuses (400, field `channels`) a list naming a channel that does not exist. */
export function assertChannelsExist(ctx: CasContext, channels: readonly string[]): void {
  if (channels.length === 0) return;
  const found = new Set(
    (
      statement(ctx.db, 'SELECT id FROM channels WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(channels)) as Array<{
        id: string;
      }>
    ).map((r) => r.id),
  );
  const missing = channels.find((c) => !found.has(c));
  if (missing !== undefined) throw new ValidationError(`channels: unknown channel "${missing}"`, 'channels');
}

function packagesOfChannel(ctx: CasContext, id: string): string[] {
  return (
    statement(ctx.db, 'SELECT package_id FROM channel_packages WHERE channel_id = ? ORDER BY package_id').all(id) as Array<{
      package_id: string;
    }>
  ).map((r) => r.package_id);
}

function assertPackagesExist(ctx: CasContext, packages: readonly string[]): void {
  if (packages.length === 0) return;
  const found = new Set(
    (
      statement(ctx.db, 'SELECT id FROM packages WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(packages)) as Array<{
        id: string;
      }>
    ).map((r) => r.id),
  );
  const missing = packages.find((p) => !found.has(p));
  if (missing !== undefined) throw new ValidationError(`packages: unknown package "${missing}"`, 'packages');
}

function replacePackages(ctx: CasContext, channelId: string, packages: readonly string[]): void {
  statement(ctx.db, 'DELETE FROM channel_packages WHERE channel_id = ?').run(channelId);
  const insert = statement(ctx.db, 'INSERT INTO channel_packages (channel_id, package_id) VALUES (?, ?)');
  for (const pkg of new Set(packages)) insert.run(channelId, pkg);
}

function toChannel(row: ChannelRow, packages: string[]): Channel {
  return {
    ...channelSummaryOf(row, packages),
    cryptoPeriodSeconds: row.crypto_period_seconds,
    hlsOrigin: row.hls_origin,
    watermark: watermarkOfRow(row),
    createdAt: isoFromMs(row.created_at),
    updatedAt: isoFromMs(row.updated_at),
  };
}

/** Channels as streaming servers know them (the id is Astra's channel id). */
export class ChannelService {
  constructor(private readonly ctx: CasContext) {}

  list(query: z.output<typeof channelListQuerySchema>): Page<Channel> {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (query.q) {
      clauses.push("(c.id LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\')");
      const like = `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      params.push(like, like);
    }
    if (query.package) {
      clauses.push('c.id IN (SELECT channel_id FROM channel_packages WHERE package_id = ?)');
      params.push(query.package);
    }
    const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
    const rows = statement(
      this.ctx.db,
      `SELECT c.* FROM channels c ${where} ORDER BY c.number IS NULL, c.number, c.id LIMIT ? OFFSET ?`,
    ).all(...params, query.pageSize, (query.page - 1) * query.pageSize) as ChannelRow[];
    const total = (statement(this.ctx.db, `SELECT count(*) AS n FROM channels c ${where}`).get(...params) as { n: number }).n;
    const links = statement(
      this.ctx.db,
      'SELECT channel_id, package_id FROM channel_packages WHERE channel_id IN (SELECT value FROM json_each(?)) ORDER BY package_id',
    ).all(JSON.stringify(rows.map((r) => r.id))) as Array<{ channel_id: string; package_id: string }>;
    const packages = new Map<string, string[]>();
    for (const link of links) packages.set(link.channel_id, [...(packages.get(link.channel_id) ?? []), link.package_id]);
    return {
      items: rows.map((row) => toChannel(row, packages.get(row.id) ?? [])),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  get(id: string): Channel {
    const row = channelRowById(this.ctx, id);
    if (!row) throw new NotFoundError(`Channel "${id}"`);
    return toChannel(row, packagesOfChannel(this.ctx, id));
  }

  create(input: z.output<typeof channelCreateSchema>, actor: Actor): Channel {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      if (channelRowById(this.ctx, input.id)) throw new ConflictError(`Channel "${input.id}" exists`, 'id');
      assertPackagesExist(this.ctx, input.packages);
      const now = clock.now();
      statement(
        db,
        `INSERT INTO channels (id, name, number, logo, stream_path, enabled, crypto_period_seconds, hls_origin, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        input.id,
        input.name,
        input.number,
        input.logo,
        input.streamPath ?? defaultStreamPath(input.id),
        input.enabled ? 1 : 0,
        input.cryptoPeriodSeconds,
        input.hlsOrigin,
        now,
        now,
      );
      replacePackages(this.ctx, input.id, input.packages);
      saveChannelWatermark(db, input.id, input.watermark);
      saveChannelAccessFields(db, input.id, input);
      recordAudit(db, now, actor, { action: 'channel.create', targetType: 'channel', targetId: input.id, summary: input });
    })();
    this.ctx.events.emit('channels-changed', [input.id]);
    return this.get(input.id);
  }

  update(id: string, patch: z.output<typeof channelUpdateSchema>, actor: Actor): Channel {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = channelRowById(this.ctx, id);
      if (!row) throw new NotFoundError(`Channel "${id}"`);
      if (patch.packages) assertPackagesExist(this.ctx, patch.packages);
      const now = clock.now();
      statement(
        db,
        `UPDATE channels SET name = ?, number = ?, logo = ?, stream_path = ?, enabled = ?,
           crypto_period_seconds = ?, hls_origin = ?, updated_at = ? WHERE id = ?`,
      ).run(
        patch.name ?? row.name,
        patch.number === undefined ? row.number : patch.number,
        patch.logo === undefined ? row.logo : patch.logo,
        patch.streamPath ?? row.stream_path,
        patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        patch.cryptoPeriodSeconds ?? row.crypto_period_seconds,
        patch.hlsOrigin === undefined ? row.hls_origin : patch.hlsOrigin,
        now,
        id,
      );
      if (patch.packages) replacePackages(this.ctx, id, patch.packages);
      saveChannelWatermark(db, id, patch.watermark);
      saveChannelAccessFields(db, id, patch);
      recordAudit(db, now, actor, { action: 'channel.update', targetType: 'channel', targetId: id, summary: patch });
    })();
    this.ctx.events.emit('channels-changed', [id]);
    return this.get(id);
  }

  delete(id: string, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = channelRowById(this.ctx, id);
      if (!row) throw new NotFoundError(`Channel "${id}"`);
      statement(db, 'DELETE FROM channels WHERE id = ?').run(id);
      recordAudit(db, clock.now(), actor, {
        action: 'channel.delete',
        targetType: 'channel',
        targetId: id,
        summary: { name: row.name },
      });
    })();
    this.ctx.events.emit('channels-changed', [id]);
  }
}
