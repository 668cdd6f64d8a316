import { useQuery } from '@tanstack/react-query';
import type { ServerStatus } from '../../../../src-shared/schemas/system';
import { api } from '../../shared/api/client';

export const statusKey = ['status'] as const;

/** The running CAS (version, listeners, counts); other features read its `apiUrl`. */
export function useServerStatus(refetchInterval?: number) {
  return useQuery({ queryKey: statusKey, queryFn: () => api.get<ServerStatus>('/api/admin/status'), refetchInterval });
}
