import { useQuery } from '@tanstack/react-query';
import { type RouteList, RouteListSchema } from '../../../shared/api/routes.ts';
import { fetchJson } from './fetch-json.ts';

export const routesKey = ['routes'] as const;

export function getRoutes(): Promise<RouteList> {
  return fetchJson('/api/routes', RouteListSchema);
}

export function useRoutes() {
  return useQuery({ queryKey: routesKey, queryFn: getRoutes, refetchInterval: 5_000 });
}
