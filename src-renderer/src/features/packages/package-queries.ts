import { useQuery } from '@tanstack/react-query';
import type { Package } from '../../../../src-shared/schemas/packages';
import { api } from '../../shared/api/client';

export const packagesKey = ['packages'] as const;

export function usePackages() {
  return useQuery({ queryKey: packagesKey, queryFn: () => api.get<Package[]>('/api/admin/packages') });
}
