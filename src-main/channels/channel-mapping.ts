import type { Channel } from '../../src-shared/schemas/channels';
import type { ChannelRow } from './channel-queries';

/** The columns of a channel that every reader needs (the viewer directory reads only these). */
export type ChannelSummaryRow = Pick<
  ChannelRow,
  'id' | 'name' | 'number' | 'group_name' | 'group_order' | 'position' | 'logo' | 'stream_path' | 'enabled' | 'url_signing' | 'stream_base_url'
>;

/** A channel as the decision path, playlists and devices see it. */
export type ChannelSummary = Pick<
  Channel,
  'id' | 'name' | 'number' | 'group' | 'groupOrder' | 'position' | 'logo' | 'streamPath' | 'enabled' | 'packages' | 'urlSigning' | 'streamBaseUrl'
>;

/** The one mapping of a channel row's shared columns to the API's names (`packages`: ids in id order). */
export function channelSummaryOf(row: ChannelSummaryRow, packages: string[]): ChannelSummary {
  return {
    id: row.id,
    name: row.name,
    number: row.number,
    group: row.group_name,
    groupOrder: row.group_order,
    position: row.position,
    logo: row.logo,
    streamPath: row.stream_path,
    enabled: row.enabled === 1,
    packages,
    urlSigning: row.url_signing,
    streamBaseUrl: row.stream_base_url,
  };
}
