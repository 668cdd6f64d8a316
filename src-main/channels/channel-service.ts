import type { z } from 'zod';
import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { fieldChanges } from '../audit/audit-diff';
import { type Actor } from '../kernel/actor';
import { ApiError, ConflictError, NotFoundError, ValidationError } from '../../src-shared/errors';
import {
  defaultStreamPath,
  type Channel,
  type ChannelView,
  type channelCreateSchema,
  type channelListQuerySchema,
  type channelUpdateSchema,
} from '../../src-shared/schemas/channels';
import type { Page } from '../../src-shared/schemas/common';
import { channelWarnings } from '../../src-shared/schemas/links';
import { channelSummaryOf } from './channel-mapping';
import { saveChannelAccessFields } from './channel-access-fields';
import { saveChannelWatermark, watermarkOfRow } from '../watermarks/watermark-service';
import {
  channelRowById,
  channelWithNumber,
  deleteChannel,
  groupOrderOf,
  insertChannel,
  listChannelRows,
  missingChannels,
  packagesByChannel,
  packagesOfChannel,
  replaceChannelPackages,
  setGroupOrder,
  updateChannelColumns,
  type ChannelRow,
} from './channel-queries';
import { missingPackages } from '../packages/package-queries';

/** Refuses (400, field `channels`) a list naming a channel that does not exist. */
export function assertChannelsExist(ctx: CasContext, channels: readonly string[]): void {
  const missing = missingChannels(ctx.db, channels)[0];
  if (missing !== undefined) throw new ValidationError('unknown_channel', { id: missing }, `channels: unknown channel "${missing}"`, 'channels');
}

function assertPackagesExist(ctx: CasContext, packages: readonly string[]): void {
  const missing = missingPackages(ctx.db, packages)[0];
  if (missing !== undefined) throw new ValidationError('unknown_package', { id: missing }, `packages: unknown package "${missing}"`, 'packages');
}

/** Refuses (409 `channel_number_taken`, naming the holder) a number another channel already carries. */
function assertNumberFree(ctx: CasContext, number: number | null, channelId: string): void {
  if (number === null) return;
  const holder = channelWithNumber(ctx.db, number);
  if (holder && holder.id !== channelId) {
    const params = { number, channelId: holder.id, channelName: holder.name };
    throw new ApiError(409, 'channel_number_taken', params, `Number ${number} belongs to channel "${holder.name}" (${holder.id})`, {
      field: 'number',
      details: params,
    });
  }
}

/**
 * The order a channel's group gets: the one typed, else the one its group already has, else
 * `fallback`. Saving writes it to every channel of the group, so a group has one order.
 */
function groupOrderFor(ctx: CasContext, group: string | null, typed: number | undefined, fallback: number): number {
  if (typed !== undefined) return typed;
  return (group === null ? undefined : groupOrderOf(ctx.db, group)) ?? fallback;
}

export function toChannel(row: ChannelRow, packages: string[]): Channel {
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

  /** The channel with what keeps its links from playing now (a signing secret not set). */
  #view(channel: Channel): ChannelView {
    return { ...channel, warnings: channelWarnings(channel.urlSigning, (name) => this.ctx.settings.secret(name) !== null) };
  }

  list(query: z.output<typeof channelListQuerySchema>): Page<ChannelView> {
    const { rows, total } = listChannelRows(this.ctx.db, { q: query.q, package: query.package }, query);
    const packages = packagesByChannel(
      this.ctx.db,
      rows.map((r) => r.id),
    );
    return {
      items: rows.map((row) => this.#view(toChannel(row, packages.get(row.id) ?? []))),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  get(id: string): ChannelView {
    const row = channelRowById(this.ctx.db, id);
    if (!row) throw new NotFoundError('channel_not_found', { id }, `Channel "${id}" not found`);
    return this.#view(toChannel(row, packagesOfChannel(this.ctx.db, id)));
  }

  create(input: z.output<typeof channelCreateSchema>, actor: Actor): ChannelView {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      if (channelRowById(db, input.id)) throw new ConflictError('channel_exists', { id: input.id }, `Channel "${input.id}" exists`, 'id');
      assertPackagesExist(this.ctx, input.packages);
      assertNumberFree(this.ctx, input.number, input.id);
      const now = clock.now();
      const groupOrder = groupOrderFor(this.ctx, input.group, input.groupOrder, 0);
      insertChannel(db, {
        id: input.id,
        name: input.name,
        number: input.number,
        group_name: input.group,
        group_order: groupOrder,
        position: input.position,
        logo: input.logo,
        stream_path: input.streamPath ?? defaultStreamPath(input.id),
        enabled: input.enabled ? 1 : 0,
        crypto_period_seconds: input.cryptoPeriodSeconds,
        hls_origin: input.hlsOrigin,
        created_at: now,
        updated_at: now,
      });
      if (input.group !== null) setGroupOrder(db, input.group, groupOrder);
      replaceChannelPackages(db, input.id, input.packages);
      saveChannelWatermark(db, input.id, input.watermark);
      saveChannelAccessFields(db, input.id, input);
      recordAudit(db, now, actor, { action: 'channel.create', targetType: 'channel', targetId: input.id, summary: input });
    })();
    this.ctx.events.emit('channels-changed', [input.id]);
    return this.get(input.id);
  }

  update(id: string, patch: z.output<typeof channelUpdateSchema>, actor: Actor): ChannelView {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = channelRowById(db, id);
      if (!row) throw new NotFoundError('channel_not_found', { id }, `Channel "${id}" not found`);
      const before = this.get(id);
      if (patch.packages) assertPackagesExist(this.ctx, patch.packages);
      if (patch.number !== undefined) assertNumberFree(this.ctx, patch.number, id);
      const now = clock.now();
      const group = patch.group === undefined ? row.group_name : patch.group;
      const groupOrder = groupOrderFor(this.ctx, group, patch.groupOrder, group === row.group_name ? row.group_order : 0);
      updateChannelColumns(db, id, {
        name: patch.name ?? row.name,
        number: patch.number === undefined ? row.number : patch.number,
        group_name: group,
        group_order: groupOrder,
        position: patch.position === undefined ? row.position : patch.position,
        logo: patch.logo === undefined ? row.logo : patch.logo,
        stream_path: patch.streamPath ?? row.stream_path,
        enabled: patch.enabled === undefined ? row.enabled : patch.enabled ? 1 : 0,
        crypto_period_seconds: patch.cryptoPeriodSeconds ?? row.crypto_period_seconds,
        hls_origin: patch.hlsOrigin === undefined ? row.hls_origin : patch.hlsOrigin,
        updated_at: now,
      });
      if (group !== null) setGroupOrder(db, group, groupOrder);
      if (patch.packages) replaceChannelPackages(db, id, patch.packages);
      saveChannelWatermark(db, id, patch.watermark);
      saveChannelAccessFields(db, id, patch);
      recordAudit(db, now, actor, { action: 'channel.update', targetType: 'channel', targetId: id, changes: fieldChanges(before, this.get(id)) });
    })();
    this.ctx.events.emit('channels-changed', [id]);
    return this.get(id);
  }

  delete(id: string, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = channelRowById(db, id);
      if (!row) throw new NotFoundError('channel_not_found', { id }, `Channel "${id}" not found`);
      deleteChannel(db, id);
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
