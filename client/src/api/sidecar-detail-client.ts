// One sidecar's live detail for the side panel: its upstream clusters with host health
// (GET /api/sidecars/:id/clusters) and its configuration (GET /api/sidecars/:id/config_dump). Sidecar
// ids contain `/`, so they travel URL-encoded as one path segment.
import { useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { type SidecarClusters, SidecarClustersSchema } from '../../../shared/api/sidecar-detail.ts';
import { ApiRequestError, fetchJson } from './fetch-json.ts';

export const sidecarDetailKey = (id: string) => ['sidecar-detail', id] as const;

const base = (id: string) => `/api/sidecars/${encodeURIComponent(id)}`;

export function getSidecarClusters(id: string): Promise<SidecarClusters> {
  return fetchJson(`${base(id)}/clusters`, SidecarClustersSchema);
}

/** The admin `/config_dump` document (envoy.admin.v3.ConfigDump): shown as is, so only its shape is checked. */
const ConfigDumpSchema = z.record(z.string(), z.unknown());
export type ConfigDump = z.infer<typeof ConfigDumpSchema>;

export function getSidecarConfigDump(id: string): Promise<ConfigDump> {
  return fetchJson(`${base(id)}/config_dump`, ConfigDumpSchema);
}

/** An unknown sidecar (404) will not appear by retrying; a silent one (502) gets one more try. */
const retry = (failures: number, e: Error) =>
  !(e instanceof ApiRequestError && e.status === 404) && failures < 1;

export function useSidecarClusters(id: string | undefined) {
  return useQuery({
    queryKey: [...sidecarDetailKey(id ?? ''), 'clusters'],
    queryFn: () => getSidecarClusters(id!),
    enabled: id !== undefined,
    refetchInterval: 10_000,
    retry,
  });
}

/** Fetched when asked for (a dump can be megabytes) and kept until the panel asks again. */
export function useSidecarConfigDump(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: [...sidecarDetailKey(id ?? ''), 'config_dump'],
    queryFn: () => getSidecarConfigDump(id!),
    enabled: enabled && id !== undefined,
    staleTime: 60_000,
    retry,
  });
}
