import { useQuery } from '@tanstack/react-query';
import type { LinksHealth } from '../../../../src-shared/schemas/links';
import { api } from '../../shared/api/client';
import { settingsKey } from '../settings/settings-queries';

/** Under the settings key: a settings change (public address, a secret) refreshes it too. */
export const linksKey = [...settingsKey, 'links'] as const;

/** Where handed-out links point now and the channels whose links will not play (`GET /api/admin/links`). */
export function useLinksHealth() {
  return useQuery({ queryKey: linksKey, queryFn: () => api.get<LinksHealth>('/api/admin/links') });
}
