// Live reads of one sidecar's admin API for the side panel: its upstream clusters with host health and
// its configuration. Asked on demand (a person opened the panel), not on the scrape schedule, so the
// panel shows what the sidecar says now; failures reject with the admin client's AdminRequestError,
// which names the sidecar, the URL and what went wrong.
import { MAX_CONFIG_DUMP_BYTES, type SidecarClusters } from '../../../shared/api/sidecar-detail.ts';
import type { SidecarTarget } from '../../model/inventory.ts';
import type { UpstreamHost } from '../../model/sidecar-data.ts';
import { adminGet } from './admin-client.ts';
import { CLUSTERS_PATH, CONFIG_DUMP_PATH } from './admin-paths.ts';
import { parseClustersJson } from './clusters-json.ts';
import { parseAdminJson } from './proto-json.ts';

export interface DetailFetchOptions {
  timeoutMs?: number;
  /** Cap on `/clusters` (a mesh-wide EDS view of thousands of hosts is a few MB). */
  maxClustersBytes?: number;
  maxConfigDumpBytes?: number;
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_CLUSTERS_BYTES = 16 * 1024 * 1024;

/** The parsed `/clusters?format=json` as the API serves it: clusters sorted by name, hosts as listed. */
export function sidecarClustersOf(
  sidecarId: string,
  hosts: Map<string, UpstreamHost[]>,
  fetchedAt: number,
): SidecarClusters {
  const clusters = [...hosts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => ({
      name,
      hosts: list.map((h) => ({
        address: h.address,
        port: h.port,
        ...(h.hostname !== undefined ? { hostname: h.hostname } : {}),
        healthy: h.healthy,
        flags: h.flags,
        weight: h.weight,
      })),
      healthyHosts: list.filter((h) => h.healthy).length,
    }));
  return { sidecarId, fetchedAt, clusters };
}

export async function fetchSidecarClusters(
  target: SidecarTarget,
  opts: DetailFetchOptions = {},
): Promise<SidecarClusters> {
  const res = await adminGet(target.admin, CLUSTERS_PATH, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: opts.maxClustersBytes ?? DEFAULT_MAX_CLUSTERS_BYTES,
    target: target.id,
  });
  const doc = parseAdminJson(res.body, `${target.id}: GET ${res.url}`);
  return sidecarClustersOf(target.id, parseClustersJson(doc), (opts.now ?? Date.now)());
}

/**
 * The `/config_dump` body as the sidecar sent it, once checked to be JSON (an admin error page or a
 * proxy's HTML must not reach the browser as configuration).
 */
export async function fetchSidecarConfigDump(
  target: SidecarTarget,
  opts: DetailFetchOptions = {},
): Promise<string> {
  const res = await adminGet(target.admin, CONFIG_DUMP_PATH, {
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBytes: opts.maxConfigDumpBytes ?? MAX_CONFIG_DUMP_BYTES,
    target: target.id,
  });
  parseAdminJson(res.body, `${target.id}: GET ${res.url}`);
  return res.body;
}
