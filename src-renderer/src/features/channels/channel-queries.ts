import { useQuery } from '@tanstack/react-query';
import type { ChannelView } from '../../../../src-shared/schemas/channels';
import type { Page } from '../../../../src-shared/schemas/common';
import { api } from '../../shared/api/client';

export const channelsKey = ['channels'] as const;

/** Every channel (the admin list answers up to 5000 a page). */
export function useChannels() {
  return useQuery({
    queryKey: channelsKey,
    queryFn: () => api.get<Page<ChannelView>>('/api/admin/channels', { pageSize: 5000 }),
  });
}
