// GET /api/config: whether this dashboard takes writes at all (--read-only), fetched once per page.
import { useQuery } from '@tanstack/react-query';
import { type DashboardConfig, DashboardConfigSchema } from '../../../shared/api/config.ts';
import { fetchJson } from './fetch-json.ts';

export const configKey = ['config'] as const;

export function getConfig(): Promise<DashboardConfig> {
  return fetchJson('/api/config', DashboardConfigSchema);
}

export function useDashboardConfig() {
  return useQuery({ queryKey: configKey, queryFn: getConfig, staleTime: Number.POSITIVE_INFINITY });
}

/** True once the server said it runs --read-only; until it answers, edits stay offered (the server refuses them anyway). */
export function useReadOnly(): boolean {
  return useDashboardConfig().data?.readOnly === true;
}
