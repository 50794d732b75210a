// One scrape's payloads → SidecarScrape, by the same calls `scrapeSidecar` makes after its four HTTP
// requests (server/sources/envoy/scrape-sidecar.ts): parse `/stats/prometheus` with our parser, read
// `/clusters?format=json`, `/config_dump` and `/runtime` through the admin JSON readers, extract the
// counters. The payloads are generated once and hold what one 5 s cycle adds, so the counters are then
// multiplied by the cycle number, as a sidecar's cumulative counters grow (a few µs per sidecar).
import { parsePrometheusText } from '../../server/metrics/prom-text-parser.ts';
import type { ClusterCounters, SidecarScrape } from '../../server/model/sidecar-data.ts';
import { parseClustersJson } from '../../server/sources/envoy/clusters-json.ts';
import { weightedRoutesFromConfigDump } from '../../server/sources/envoy/config-dump-routes.ts';
import { parseAdminJson } from '../../server/sources/envoy/proto-json.ts';
import { parseRuntimeJson } from '../../server/sources/envoy/runtime-json.ts';
import { extractStats } from '../../server/sources/envoy/stats-extract.ts';
import type { SidecarPayloads } from './synthetic-mesh.ts';

export function scrapeFromPayloads(
  targetId: string,
  p: SidecarPayloads,
  cycle: number,
  at: number,
): SidecarScrape {
  const hosts = parseClustersJson(parseAdminJson(p.clustersJson, `${targetId}: /clusters`));
  const routes = weightedRoutesFromConfigDump(parseAdminJson(p.configDumpJson, `${targetId}: /config_dump`));
  const runtime = parseRuntimeJson(parseAdminJson(p.runtimeJson, `${targetId}: /runtime`));
  const parsed = parsePrometheusText(p.stats);
  if (parsed.errorCount > 0) throw new Error(`${targetId}: ${parsed.errorCount} invalid stats lines`);
  const extracted = extractStats(parsed, { clusterNames: hosts.keys() });
  for (const c of extracted.clusters.values()) scaleCounters(c, cycle);
  const downstream = extracted.downstream;
  if (downstream !== undefined) {
    downstream.rq_total *= cycle;
    for (let i = 0; i < 5; i++) downstream.rq_xx[i]! *= cycle;
  }
  return {
    targetId,
    at,
    clusters: extracted.clusters,
    istio: extracted.istio,
    hosts,
    routes,
    runtime,
    downstream,
  };
}

function scaleCounters(c: ClusterCounters, k: number): void {
  c.upstream_rq_total *= k;
  for (let i = 0; i < 5; i++) c.upstream_rq_xx[i]! *= k;
  c.upstream_rq_503 *= k;
  c.upstream_rq_pending_overflow *= k;
  c.upstream_cx_overflow *= k;
  c.upstream_cx_none_healthy *= k;
  c.upstream_cx_connect_fail *= k;
  const h = c.rqTime;
  if (h !== undefined) {
    for (let i = 0; i < h.counts.length; i++) h.counts[i]! *= k;
    h.sum *= k;
    h.count *= k;
  }
}
