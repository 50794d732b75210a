// The history behind the side panel's sparklines: GET /api/nodes/:id/series and /api/edges/:id/series.
// A node or edge the history has not recorded yet (404) reads as an empty series, not an error.
import { useQuery } from '@tanstack/react-query';
import { type Series, SeriesSchema } from '../../../shared/api/series.ts';
import { ApiRequestError, fetchJson } from './fetch-json.ts';

export type SeriesKind = 'node' | 'edge';

export const seriesKey = (kind: SeriesKind, id: string) => ['series', kind, id] as const;

export async function getSeries(kind: SeriesKind, id: string): Promise<Series> {
  try {
    return await fetchJson(`/api/${kind}s/${encodeURIComponent(id)}/series`, SeriesSchema);
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 404) return { id, points: [] };
    throw e;
  }
}

/** Refreshed at about the scrape cadence while the panel shows it. */
export function useSeries(kind: SeriesKind, id: string) {
  return useQuery({
    queryKey: seriesKey(kind, id),
    queryFn: () => getSeries(kind, id),
    refetchInterval: 5_000,
  });
}
