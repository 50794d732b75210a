// The counters that show traffic policies acting, from a parsed `/stats/prometheus` (the breakers'
// and outlier detection's gauges are cluster-gauges.ts):
// - per upstream cluster (`cluster.<name>.`): `upstream_rq_retry`, `upstream_rq_retry_overflow`,
//   `upstream_rq_timeout`;
// - per HTTP connection manager (`http.<prefix>.`): the fault filter's `fault.aborts_injected` and
//   `fault.delays_injected`. Envoy's default extractors tag these as
//   `envoy_http_fault_aborts_injected{envoy_http_conn_manager_prefix="<prefix>"}`; when the request
//   named its downstream cluster (`x-envoy-downstream-service-cluster`) the stat is
//   `http.<prefix>.fault.<cluster>.aborts_injected` and `envoy.fault_downstream_cluster` tags that too
//   (proxy/stats/default-tag-extractors.ts). Both are summed per prefix.
// Dotted cluster names are attributed as in cluster-stats.ts.
import type { ParsedExposition } from '../../metrics/prom-exposition.ts';
import type { ClusterPolicyCounters, PolicyCounters } from '../../model/policy-config.ts';
import { dottedClusterIndex } from './cluster-stats.ts';
import { clusterNameOf, detach, hcmPrefixOf } from './stat-labels.ts';

const CLUSTER_PREFIX = 'envoy_cluster_';
const CLUSTER_RE = /^(.*?)(upstream_rq_retry_overflow|upstream_rq_retry|upstream_rq_timeout)$/;
const FAULT_RE = /^envoy_http_fault_(aborts|delays)_injected$/;

export function emptyClusterPolicyCounters(): ClusterPolicyCounters {
  return {
    upstream_rq_retry: 0,
    upstream_rq_retry_overflow: 0,
    upstream_rq_timeout: 0,
  };
}

export function extractPolicyCounters(
  parsed: ParsedExposition,
  clusterNames: Iterable<string> = [],
): PolicyCounters {
  const dotted = dottedClusterIndex(clusterNames);
  const clusters = new Map<string, ClusterPolicyCounters>();
  const faults = new Map<string, { aborts: number; delays: number }>();
  for (const family of parsed.families.values()) {
    const fault = FAULT_RE.exec(family.name);
    if (fault !== null) {
      for (const s of family.samples) {
        const prefix = hcmPrefixOf(s.labels);
        if (prefix === undefined || !Number.isFinite(s.value)) continue;
        let f = faults.get(prefix);
        if (f === undefined) {
          f = { aborts: 0, delays: 0 };
          faults.set(detach(prefix), f);
        }
        if (fault[1] === 'aborts') f.aborts += s.value;
        else f.delays += s.value;
      }
      continue;
    }
    if (!family.name.startsWith(CLUSTER_PREFIX)) continue;
    const m = CLUSTER_RE.exec(family.name.slice(CLUSTER_PREFIX.length));
    if (m === null) continue;
    const middle = m[1]!;
    if (middle !== '' && !middle.endsWith('_')) continue;
    for (const s of family.samples) {
      const tag = clusterNameOf(s.labels);
      if (tag === undefined || !Number.isFinite(s.value)) continue;
      const name = middle === '' ? tag : dotted.get(`${tag}\u0000${middle}`);
      if (name === undefined) continue;
      let c = clusters.get(name);
      if (c === undefined) {
        c = emptyClusterPolicyCounters();
        clusters.set(detach(name), c);
      }
      c[m[2] as keyof ClusterPolicyCounters] += s.value;
    }
  }
  return { clusters, faults };
}
