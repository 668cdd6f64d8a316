import type { Db } from '../db/connection';
import { statement } from '../db/statements';
import type { UrlSigningScheme } from '../../src-shared/schemas/access';

/** The channel columns access control adds (migration 0100). */
export interface ChannelAccessColumns {
  url_signing: UrlSigningScheme;
  stream_base_url: string | null;
}

/** Writes the URL-signing scheme and stream base URL of a channel; fields left undefined stay as they are. */
export function saveChannelAccessFields(
  db: Db,
  channelId: string,
  fields: { urlSigning?: UrlSigningScheme; streamBaseUrl?: string | null },
): void {
  if (fields.urlSigning !== undefined) statement(db, 'UPDATE channels SET url_signing = ? WHERE id = ?').run(fields.urlSigning, channelId);
  if (fields.streamBaseUrl !== undefined) {
    statement(db, 'UPDATE channels SET stream_base_url = ? WHERE id = ?').run(fields.streamBaseUrl, channelId);
  }
}
