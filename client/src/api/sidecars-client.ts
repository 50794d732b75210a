import { useQuery } from '@tanstack/react-query';
import { type SidecarList, SidecarListSchema } from '../../../shared/api/sidecars.ts';
import { fetchJson } from './fetch-json.ts';

export const sidecarsKey = ['sidecars'] as const;

export function getSidecars(): Promise<SidecarList> {
  return fetchJson('/api/sidecars', SidecarListSchema);
}

export function useSidecars() {
  return useQuery({ queryKey: sidecarsKey, queryFn: getSidecars, refetchInterval: 5_000 });
}
