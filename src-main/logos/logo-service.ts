import { createHash } from 'node:crypto';
import type { CasContext } from '../kernel/context';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { statement } from '../db/statements';
import { channelRowById, clearChannelLogo, updateChannelColumns } from '../channels/channel-queries';
import { NotFoundError } from '../../src-shared/errors';
import { acceptLogo, type LogoType } from './logo-content';

interface StoredLogo {
  channelId: string;
  contentType: LogoType;
  data: Buffer;
  sha256: string;
  bytes: number;
  updatedAt: number;
}

interface LogoRow {
  channel_id: string;
  content_type: LogoType;
  data: Buffer;
  sha256: string;
  bytes: number;
  updated_at: number;
}

/** The URL path an uploaded logo is served at on the client listener. */
function logoPath(channelId: string): string {
  return `/logos/${channelId}`;
}

/** Channel logos uploaded through the admin API, kept in SQLite and served on the client listener. */
export class LogoService {
  constructor(private readonly ctx: CasContext) {}

  get(channelId: string): StoredLogo | null {
    const row = statement(this.ctx.db, 'SELECT * FROM channel_logos WHERE channel_id = ?').get(channelId) as LogoRow | undefined;
    if (!row) return null;
    return {
      channelId: row.channel_id,
      contentType: row.content_type,
      data: row.data,
      sha256: row.sha256,
      bytes: row.bytes,
      updatedAt: row.updated_at,
    };
  }

  /** Stores a logo (sniffed, SVG sanitized) and points the channel's `logo` at it. */
  upload(channelId: string, body: Buffer, actor: Actor): { contentType: LogoType; bytes: number; sha256: string; url: string } {
    const accepted = acceptLogo(body);
    const { db, clock } = this.ctx;
    const sha256 = createHash('sha256').update(accepted.data).digest('hex');
    db.transaction(() => {
      if (!channelRowById(db, channelId)) throw new NotFoundError('channel_not_found', { id: channelId }, `Channel "${channelId}" not found`);
      const now = clock.now();
      statement(
        db,
        `INSERT INTO channel_logos (channel_id, content_type, data, sha256, bytes, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(channel_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data,
           sha256 = excluded.sha256, bytes = excluded.bytes, updated_at = excluded.updated_at`,
      ).run(channelId, accepted.type, accepted.data, sha256, accepted.data.length, now);
      updateChannelColumns(db, channelId, { logo: logoPath(channelId), updated_at: now });
      recordAudit(db, now, actor, {
        action: 'channel.logo.upload',
        targetType: 'channel',
        targetId: channelId,
        summary: { contentType: accepted.type, bytes: accepted.data.length, sha256 },
      });
    })();
    this.ctx.events.emit('channels-changed', [channelId]);
    return { contentType: accepted.type, bytes: accepted.data.length, sha256, url: logoPath(channelId) };
  }

  remove(channelId: string, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const removed = statement(db, 'DELETE FROM channel_logos WHERE channel_id = ?').run(channelId).changes;
      if (removed === 0) throw new NotFoundError('logo_not_found', { channelId }, `Logo of channel "${channelId}" not found`);
      const now = clock.now();
      clearChannelLogo(db, channelId, logoPath(channelId), now);
      recordAudit(db, now, actor, { action: 'channel.logo.delete', targetType: 'channel', targetId: channelId });
    })();
    this.ctx.events.emit('channels-changed', [channelId]);
  }
}
