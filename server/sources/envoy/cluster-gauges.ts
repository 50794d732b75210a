// Per-upstream-cluster gauges the alert rules read from a parsed `/stats/prometheus`:
// - `circuit_breakers.<default|high>.{cx_open,cx_pool_open,rq_open,rq_pending_open,rq_retry_open}`: 1
//   while that breaker is open (Envoy docs, "Circuit breaking" statistics);
// - `outlier_detection.ejections_active`: hosts currently ejected;
// - `membership_healthy` / `membership_total`: hosts healthy and known.
// Named like the counters (cluster-stats.ts): `envoy_cluster_<stat>{envoy_cluster_name=...}`, with the
// dotted tail of a cluster name left in the metric name.
import type { ParsedExposition } from '../../metrics/prom-exposition.ts';
import type { ClusterGauges } from '../../model/sidecar-data.ts';
import { dottedClusterIndex } from './cluster-stats.ts';
import { clusterNameOf, detach } from './stat-labels.ts';

const GAUGE_RE =
  /^envoy_cluster_(.*?)(?:circuit_breakers_(default|high)_(cx_open|cx_pool_open|rq_open|rq_pending_open|rq_retry_open)|(outlier_detection_ejections_active)|(membership_healthy)|(membership_total))$/;

export function extractClusterGauges(
  parsed: ParsedExposition,
  clusterNames: Iterable<string> = [],
): Map<string, ClusterGauges> {
  const dotted = dottedClusterIndex(clusterNames);
  const out = new Map<string, ClusterGauges>();
  for (const family of parsed.families.values()) {
    const m = GAUGE_RE.exec(family.name);
    if (m === null) continue;
    const middle = m[1]!;
    if (middle !== '' && !middle.endsWith('_')) continue;
    for (const sample of family.samples) {
      const tag = clusterNameOf(sample.labels);
      if (tag === undefined || !Number.isFinite(sample.value)) continue;
      const cluster = middle === '' ? tag : dotted.get(`${tag}\u0000${middle}`);
      if (cluster === undefined) continue;
      let g = out.get(cluster);
      if (g === undefined) {
        g = {
          openBreakers: [],
          ejectionsActive: undefined,
          membershipHealthy: undefined,
          membershipTotal: undefined,
        };
        out.set(detach(cluster), g);
      }
      if (m[2] !== undefined) {
        if (sample.value > 0) g.openBreakers.push(`${m[2]}.${m[3]}`);
      } else if (m[4] !== undefined) g.ejectionsActive = (g.ejectionsActive ?? 0) + sample.value;
      else if (m[5] !== undefined) g.membershipHealthy = (g.membershipHealthy ?? 0) + sample.value;
      else g.membershipTotal = (g.membershipTotal ?? 0) + sample.value;
    }
  }
  return out;
}
