import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import type { KeyStatus } from '../../../../src-shared/schemas/keys';
import { api } from '../../shared/api/client';

export const keysKey = ['keys'] as const;

export function useKeyStatus(refetchInterval = 5000) {
  return useQuery({ queryKey: [...keysKey, 'status'], queryFn: () => api.get<KeyStatus>('/api/admin/keys'), refetchInterval });
}

/** "in 3 minutes", counted from the CAS's clock (the one that rotates), refreshed with the query. */
export function untilRotation(iso: string, serverTime: string | undefined): string {
  return dayjs(iso).from(serverTime ? dayjs(serverTime) : dayjs());
}
