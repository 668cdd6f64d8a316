import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import type { ChannelAccessColumns } from './channel-access-fields';
import type { ChannelWatermarkColumns } from '../watermarks/watermark-service';
import type { ChannelSort } from '../../src-shared/schemas/channels';

/** The owner of the `channels` and `channel_packages` tables: every statement on them is here. */

export interface ChannelRow extends ChannelWatermarkColumns, ChannelAccessColumns {
  id: string;
  name: string;
  number: number | null;
  group_name: string | null;
  group_order: number;
  position: number | null;
  logo: string | null;
  stream_path: string;
  enabled: 0 | 1;
  crypto_period_seconds: number;
  hls_origin: string | null;
  created_at: number;
  updated_at: number;
}

/** The columns a create writes; the access and watermark columns follow through `updateChannelColumns`. */
export type NewChannelRow = Omit<ChannelRow, keyof ChannelWatermarkColumns | keyof ChannelAccessColumns>;

/** Sort terms per list order; `order` is the playlist's (groups by their order, then position, then number). */
const SORT_TERMS: Record<ChannelSort, readonly string[]> = {
  order: ['group_order', 'group_name IS NOT NULL', 'group_name', 'position IS NULL', 'position', 'number IS NULL', 'number', 'id'],
  number: ['number IS NULL', 'number', 'id'],
  name: ['name COLLATE NOCASE', 'id'],
  group: ['group_name IS NULL', 'group_name COLLATE NOCASE', 'position IS NULL', 'position', 'number IS NULL', 'number', 'id'],
};

function orderBy(sort: ChannelSort, direction: 'asc' | 'desc'): string {
  return SORT_TERMS[sort].map((term) => `c.${term} ${direction === 'desc' ? 'DESC' : 'ASC'}`).join(', ');
}

export function channelRowById(db: Db, id: string): ChannelRow | undefined {
  return statement(db, 'SELECT * FROM channels WHERE id = ?').get(id) as ChannelRow | undefined;
}

/** The channel that carries this number, if any (channels are few: a scan is fine). */
export function channelWithNumber(db: Db, number: number): Pick<ChannelRow, 'id' | 'name'> | undefined {
  return statement(db, 'SELECT id, name FROM channels WHERE number = ? ORDER BY id LIMIT 1').get(number) as
    | Pick<ChannelRow, 'id' | 'name'>
    | undefined;
}

/** Every channel in playlist order (see `SORT_TERMS.order`). */
export function allChannelRows(db: Db): ChannelRow[] {
  return statement(db, `SELECT * FROM channels c ORDER BY ${orderBy('order', 'asc')}`).all() as ChannelRow[];
}

/** The order of a group as its channels carry it, if the group has any channel. */
export function groupOrderOf(db: Db, group: string): number | undefined {
  return (statement(db, 'SELECT group_order FROM channels WHERE group_name = ? LIMIT 1').get(group) as { group_order: number } | undefined)
    ?.group_order;
}

/** Gives every channel of `group` the same group order. */
export function setGroupOrder(db: Db, group: string, order: number): void {
  statement(db, 'UPDATE channels SET group_order = ? WHERE group_name = ?').run(order, group);
}

export function channelCount(db: Db): number {
  return (statement(db, 'SELECT count(*) AS n FROM channels').get() as { n: number }).n;
}

/** The ids of `ids` that name no channel, in the order given. */
export function missingChannels(db: Db, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const found = new Set(
    (statement(db, 'SELECT id FROM channels WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as Array<{ id: string }>).map(
      (r) => r.id,
    ),
  );
  return ids.filter((id) => !found.has(id));
}

/** The names of the channels among `ids` that exist. */
export function channelNames(db: Db, ids: readonly string[]): Map<string, string> {
  const rows = statement(db, 'SELECT id, name FROM channels WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as Array<{
    id: string;
    name: string;
  }>;
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** One page of channels, filtered by a substring of id or name and by package, in the order asked for. */
export function listChannelRows(
  db: Db,
  filter: { q?: string; package?: string },
  options: { page: number; pageSize: number; sort: ChannelSort; order: 'asc' | 'desc' },
): { rows: ChannelRow[]; total: number } {
  const { page, pageSize } = options;
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.q) {
    clauses.push("(c.id LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\')");
    const like = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    params.push(like, like);
  }
  if (filter.package) {
    clauses.push('c.id IN (SELECT channel_id FROM channel_packages WHERE package_id = ?)');
    params.push(filter.package);
  }
  const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
  const rows = statement(db, `SELECT c.* FROM channels c ${where} ORDER BY ${orderBy(options.sort, options.order)} LIMIT ? OFFSET ?`).all(
    ...params,
    pageSize,
    (page - 1) * pageSize,
  ) as ChannelRow[];
  const total = (statement(db, `SELECT count(*) AS n FROM channels c ${where}`).get(...params) as { n: number }).n;
  return { rows, total };
}

export function insertChannel(db: Db, row: NewChannelRow): void {
  statement(
    db,
    `INSERT INTO channels (id, name, number, group_name, group_order, position, logo, stream_path, enabled, crypto_period_seconds,
       hls_origin, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.id,
    row.name,
    row.number,
    row.group_name,
    row.group_order,
    row.position,
    row.logo,
    row.stream_path,
    row.enabled,
    row.crypto_period_seconds,
    row.hls_origin,
    row.created_at,
    row.updated_at,
  );
}

/** Writes the given columns of one channel (names come from code, values are bound). */
export function updateChannelColumns(db: Db, id: string, columns: Partial<Omit<ChannelRow, 'id' | 'created_at'>>): void {
  const names = Object.keys(columns) as Array<keyof typeof columns>;
  if (names.length === 0) return;
  statement(db, `UPDATE channels SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE id = ?`).run(...names.map((n) => columns[n]), id);
}

/** Clears the channel's `logo` if it still points at `logo`; false when it pointed elsewhere. */
export function clearChannelLogo(db: Db, id: string, logo: string, now: number): boolean {
  return statement(db, 'UPDATE channels SET logo = NULL, updated_at = ? WHERE id = ? AND logo = ?').run(now, id, logo).changes > 0;
}

export function deleteChannel(db: Db, id: string): void {
  statement(db, 'DELETE FROM channels WHERE id = ?').run(id);
}

// ---- channel_packages ------------------------------------------------------------------

export function packagesOfChannel(db: Db, channelId: string): string[] {
  return (
    statement(db, 'SELECT package_id FROM channel_packages WHERE channel_id = ? ORDER BY package_id').all(channelId) as Array<{
      package_id: string;
    }>
  ).map((r) => r.package_id);
}

export function channelsOfPackage(db: Db, packageId: string): string[] {
  return (
    statement(db, 'SELECT channel_id FROM channel_packages WHERE package_id = ? ORDER BY channel_id').all(packageId) as Array<{
      channel_id: string;
    }>
  ).map((r) => r.channel_id);
}

function grouped(links: Array<{ key: string; value: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const link of links) {
    const list = groups.get(link.key) ?? [];
    list.push(link.value);
    groups.set(link.key, list);
  }
  return groups;
}

/** Per channel, its packages in id order; of the channels `channelIds`, or of every channel when omitted. */
export function packagesByChannel(db: Db, channelIds?: readonly string[]): Map<string, string[]> {
  const links =
    channelIds === undefined
      ? statement(db, 'SELECT channel_id AS key, package_id AS value FROM channel_packages ORDER BY package_id').all()
      : statement(
          db,
          `SELECT channel_id AS key, package_id AS value FROM channel_packages
           WHERE channel_id IN (SELECT value FROM json_each(?)) ORDER BY package_id`,
        ).all(JSON.stringify(channelIds));
  return grouped(links as Array<{ key: string; value: string }>);
}

/** Per package, its channels in id order. */
export function channelsByPackage(db: Db): Map<string, string[]> {
  return grouped(
    statement(db, 'SELECT package_id AS key, channel_id AS value FROM channel_packages ORDER BY channel_id').all() as Array<{
      key: string;
      value: string;
    }>,
  );
}

export function replaceChannelPackages(db: Db, channelId: string, packageIds: readonly string[]): void {
  statement(db, 'DELETE FROM channel_packages WHERE channel_id = ?').run(channelId);
  const insert = statement(db, 'INSERT INTO channel_packages (channel_id, package_id) VALUES (?, ?)');
  for (const packageId of new Set(packageIds)) insert.run(channelId, packageId);
}

export function replacePackageChannels(db: Db, packageId: string, channelIds: readonly string[]): void {
  statement(db, 'DELETE FROM channel_packages WHERE package_id = ?').run(packageId);
  const insert = statement(db, 'INSERT INTO channel_packages (channel_id, package_id) VALUES (?, ?)');
  for (const channelId of new Set(channelIds)) insert.run(channelId, packageId);
}
