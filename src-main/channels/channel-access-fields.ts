import type { Db } from '../db/connection';
import { updateChannelColumns } from './channel-queries';
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
  updateChannelColumns(db, channelId, {
    ...(fields.urlSigning !== undefined ? { url_signing: fields.urlSigning } : {}),
    ...(fields.streamBaseUrl !== undefined ? { stream_base_url: fields.streamBaseUrl } : {}),
  });
}
