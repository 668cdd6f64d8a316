import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { Package } from '../../../src-shared/schemas/packages';
import type { Channel } from '../../../src-shared/schemas/channels';
import type { Page } from '../../../src-shared/schemas/common';
import type { SettingsView } from '../../../src-shared/schemas/settings';
import { api } from './client';

/** Server status as `GET /api/admin/status` reports it. */
export interface ServerStatus {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  adminUrl: string | null;
  apiUrl: string | null;
  dataDir: string;
  databaseBytes: number;
  counts: { accounts: number; channels: number; packages: number };
  /** Failing background writes (full disk, I/O errors): decisions go on, records do not. */
  alarms: Array<{ name: string; failures: number; since: string; lastFailureAt: string; message: string }>;
}

export const queryKeys = {
  status: ['status'] as const,
  packages: ['packages'] as const,
  channels: ['channels'] as const,
  accounts: ['accounts'] as const,
  settings: ['settings'] as const,
  apiKeys: ['api-keys'] as const,
  audit: ['audit'] as const,
};

export function useStatus(refetchInterval?: number) {
  return useQuery({
    queryKey: queryKeys.status,
    queryFn: () => api.get<ServerStatus>('/api/admin/status'),
    refetchInterval,
  });
}

export function usePackages() {
  return useQuery({ queryKey: queryKeys.packages, queryFn: () => api.get<Package[]>('/api/admin/packages') });
}

/** Every channel (the admin list answers up to 5000 a page). */
export function useChannels() {
  return useQuery({
    queryKey: queryKeys.channels,
    queryFn: () => api.get<Page<Channel>>('/api/admin/channels', { pageSize: 5000 }),
  });
}

export function useSettings() {
  return useQuery({ queryKey: queryKeys.settings, queryFn: () => api.get<SettingsView>('/api/admin/settings') });
}

/** A paged list whose previous page stays on screen while the next loads (no flicker). */
export function usePagedList<T>(key: QueryKey, path: string, query: Record<string, string | number | boolean | undefined>, refetchInterval?: number) {
  return useQuery({
    queryKey: [...key, query],
    queryFn: () => api.get<Page<T>>(path, query),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

/** A mutation that refreshes the given lists when it succeeds. */
export function useApiMutation<TVars, TResult = unknown>(fn: (vars: TVars) => Promise<TResult>, invalidate: QueryKey[]) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await Promise.all(invalidate.map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}
