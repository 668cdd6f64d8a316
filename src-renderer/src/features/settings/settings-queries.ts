import { useQuery } from '@tanstack/react-query';
import type { SettingsView } from '../../../../src-shared/schemas/settings';
import { api } from '../../shared/api/client';

export const settingsKey = ['settings'] as const;

export function useSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: () => api.get<SettingsView>('/api/admin/settings') });
}
