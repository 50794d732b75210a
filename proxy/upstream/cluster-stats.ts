// The cluster stats that membership, DNS discovery and load balancing maintain, named as Envoy's
// (config/upstream/cluster_manager/cluster_stats: general, config update, load balancer, circuit
// breakers), looked up once and kept as fields. The request-path stats (`upstream_rq_*`,
// `upstream_cx_*`) belong to the request path (proxy/server/request-stats.ts); both live under the same
// `cluster.<name>.` prefix in the one store.
//
// Envoy creates every one of these when the cluster is created, so /stats lists them at 0 even when
// nothing ever moves them (zone routing, subsets, ...): we do the same so dashboards built for Envoy
// find every series.
import type { Counter, Gauge, StatsStore } from '../stats/store.ts';

const ZERO_COUNTERS = [
  'assignment_stale',
  'assignment_timeout_received',
  'bind_errors',
  'default_total_match_count',
  'lb_local_cluster_not_ok',
  'lb_recalculate_zone_structures',
  'lb_subsets_created',
  'lb_subsets_fallback',
  'lb_subsets_fallback_panic',
  'lb_subsets_removed',
  'lb_subsets_selected',
  'lb_zone_cluster_too_small',
  'lb_zone_no_capacity_left',
  'lb_zone_number_differs',
  'lb_zone_routing_all_directly',
  'lb_zone_routing_cross_zone',
  'lb_zone_routing_sampled',
  'original_dst_host_invalid',
  'retry_or_shadow_abandoned',
] as const;

const ZERO_GAUGES = [
  'lb_subsets_active',
  'version',
  'circuit_breakers.default.cx_open',
  'circuit_breakers.default.cx_pool_open',
  'circuit_breakers.default.rq_open',
  'circuit_breakers.default.rq_pending_open',
  'circuit_breakers.default.rq_retry_open',
  'circuit_breakers.high.cx_open',
  'circuit_breakers.high.cx_pool_open',
  'circuit_breakers.high.rq_open',
  'circuit_breakers.high.rq_pending_open',
  'circuit_breakers.high.rq_retry_open',
] as const;

export class ClusterStats {
  readonly prefix: string;
  readonly membership_change: Counter;
  readonly membership_healthy: Gauge;
  readonly membership_degraded: Gauge;
  readonly membership_excluded: Gauge;
  readonly membership_total: Gauge;
  readonly update_attempt: Counter;
  readonly update_success: Counter;
  readonly update_failure: Counter;
  readonly update_empty: Counter;
  readonly update_no_rebuild: Counter;
  readonly max_host_weight: Gauge;
  readonly lb_healthy_panic: Counter;

  constructor(store: StatsStore, clusterName: string) {
    const p = `cluster.${clusterName}.`;
    this.prefix = p;
    this.membership_change = store.counter(`${p}membership_change`);
    this.membership_healthy = store.gauge(`${p}membership_healthy`);
    this.membership_degraded = store.gauge(`${p}membership_degraded`);
    this.membership_excluded = store.gauge(`${p}membership_excluded`);
    this.membership_total = store.gauge(`${p}membership_total`);
    this.update_attempt = store.counter(`${p}update_attempt`);
    this.update_success = store.counter(`${p}update_success`);
    this.update_failure = store.counter(`${p}update_failure`);
    this.update_empty = store.counter(`${p}update_empty`);
    this.update_no_rebuild = store.counter(`${p}update_no_rebuild`);
    this.max_host_weight = store.gauge(`${p}max_host_weight`);
    this.lb_healthy_panic = store.counter(`${p}lb_healthy_panic`);
    for (const n of ZERO_COUNTERS) store.counter(p + n);
    for (const n of ZERO_GAUGES) store.gauge(p + n);
  }
}

/** `cluster_manager.*`: server-wide cluster counts. */
export class ClusterManagerStats {
  readonly active_clusters: Gauge;
  readonly warming_clusters: Gauge;
  readonly cluster_added: Counter;
  readonly cluster_modified: Counter;
  readonly cluster_removed: Counter;

  constructor(store: StatsStore) {
    const p = 'cluster_manager.';
    this.active_clusters = store.gauge(`${p}active_clusters`);
    this.warming_clusters = store.gauge(`${p}warming_clusters`);
    this.cluster_added = store.counter(`${p}cluster_added`);
    this.cluster_modified = store.counter(`${p}cluster_modified`);
    this.cluster_removed = store.counter(`${p}cluster_removed`);
    // Envoy's CDS merge stats: never moved by a static bootstrap, listed all the same.
    for (const n of [
      'cluster_updated',
      'cluster_updated_via_merge',
      'update_merge_cancelled',
      'update_out_of_merge_window',
    ]) {
      store.counter(p + n);
    }
  }
}

/**
 * Drops every stat of a removed cluster, request-path ones included, but not those of a live cluster
 * whose name merely extends it: removing `a` must keep `cluster.a.b.*` while `a.b` exists.
 */
export function removeClusterStats(store: StatsStore, name: string, liveNames: Iterable<string>): void {
  const prefix = `cluster.${name}.`;
  const keep: string[] = [];
  for (const live of liveNames) {
    if (live !== name && live.startsWith(`${name}.`)) keep.push(`cluster.${live}.`);
  }
  for (const m of [store.counters, store.gauges, store.histograms] as Map<string, unknown>[]) {
    for (const k of m.keys()) {
      if (k.startsWith(prefix) && !keep.some((p) => k.startsWith(p))) m.delete(k);
    }
  }
}
