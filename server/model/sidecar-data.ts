// What one scrape of one sidecar yields, parsed into the few facts the graph needs. Built by the Envoy
// admin client from /stats/prometheus, /clusters?format=json, /config_dump and /runtime; the metrics store
// keeps the counters' history, the graph builder reads the rest.
import type { PolicyCounters, SidecarPolicyConfig } from './policy-config.ts';

/** Per upstream cluster, cumulative counters (Envoy's names, without the `cluster.<name>.` prefix). */
export interface ClusterCounters {
  upstream_rq_total: number;
  /** By status class 1..5 (`upstream_rq_1xx` … `upstream_rq_5xx`). */
  upstream_rq_xx: [number, number, number, number, number];
  upstream_rq_503: number;
  upstream_rq_pending_overflow: number;
  upstream_cx_overflow: number;
  upstream_cx_none_healthy: number;
  upstream_cx_connect_fail: number;
  /** Cumulative `upstream_rq_time` histogram: bucket upper bounds (ms, ascending, +Inf last) and counts. */
  rqTime: { le: number[]; counts: number[]; sum: number; count: number } | undefined;
}

/** Per upstream cluster, the gauges alert rules read (server/sources/envoy/cluster-gauges.ts). */
export interface ClusterGauges {
  /** Breakers whose `circuit_breakers.<priority>.<resource>_open` gauge is set, e.g. `default.rq_pending_open`. */
  openBreakers: string[];
  /** `outlier_detection.ejections_active`; undefined when the sidecar does not report it. */
  ejectionsActive: number | undefined;
  membershipHealthy: number | undefined;
  membershipTotal: number | undefined;
}

/** Istio's own telemetry (`istio_requests_total`, `istio_request_duration_milliseconds`), per destination. */
export interface IstioDestinationCounters {
  reporter: 'source' | 'destination';
  sourceWorkload: string;
  sourceNamespace: string;
  destinationWorkload: string;
  destinationNamespace: string;
  destinationService: string;
  destinationApp: string;
  destinationVersion: string;
  /** Cumulative requests by response code and Envoy response flags (e.g. "503|UO"). */
  byCodeAndFlags: Record<string, number>;
  duration: { le: number[]; counts: number[]; sum: number; count: number } | undefined;
}

/**
 * The labels of `istio_requests_total` (Istio's standard metrics) behind an IstioDestinationCounters'
 * fields after `reporter`, in their order.
 */
export const ISTIO_DESTINATION_LABELS = [
  'source_workload',
  'source_workload_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'destination_service',
  'destination_app',
  'destination_version',
] as const;

export interface UpstreamHost {
  address: string;
  port: number;
  hostname: string | undefined;
  healthy: boolean;
  /** failed_outlier_check etc. as Envoy reports them. */
  flags: string[];
  weight: number;
}

export interface WeightedRouteConfig {
  listener: string;
  routeConfig: string;
  virtualHost: string;
  routeIndex: number;
  routeName: string | undefined;
  match: string;
  runtimeKeyPrefix: string | undefined;
  totalWeight: number | undefined;
  clusters: { name: string; weight: number }[];
  /**
   * Istio: the route's `metadata.filter_metadata.istio.config`, the VirtualService istiod generated it
   * from (`/apis/networking.istio.io/v1alpha3/namespaces/<ns>/virtual-service/<name>`).
   */
  istioConfig?: string;
}

/**
 * The bootstrap's runtime `disk_layer` with the highest priority (the last one in
 * `layered_runtime.layers`): where weights set through `/runtime_modify` are persisted so a restarted
 * proxy keeps them. The directory read is `symlinkRoot/subdirectory[/serviceCluster]`.
 */
export interface RuntimeDiskLayer {
  symlinkRoot: string;
  subdirectory: string;
  /** `append_service_cluster`: the node's cluster (`node.cluster`) is appended to the path. */
  serviceCluster: string | undefined;
}

export interface SidecarScrape {
  targetId: string;
  /** Epoch ms when the scrape completed. */
  at: number;
  clusters: Map<string, ClusterCounters>;
  /** Per-cluster gauges (circuit breakers, outlier ejections, membership); absent from older producers. */
  gauges?: Map<string, ClusterGauges>;
  istio: IstioDestinationCounters[];
  /** Upstream hosts per cluster, from /clusters?format=json. */
  hosts: Map<string, UpstreamHost[]>;
  /**
   * Per cluster, the endpoint addresses its config_dump `load_assignment` lists (a STRICT_DNS cluster's
   * DNS name): what names a destination whose DNS answers no host. Absent from older producers.
   */
  configuredAddresses?: Map<string, string[]>;
  /**
   * Per cluster that sets it, the config_dump's `common_lb_config.healthy_panic_threshold` in whole
   * percent (0: never panic); the others use Envoy's default 50. Absent from older producers.
   */
  panicThresholds?: Map<string, number>;
  routes: WeightedRouteConfig[];
  /** /runtime final values. */
  runtime: Map<string, string>;
  /** From the config dump's bootstrap, when it has a disk layer (weights persist there). */
  runtimeDiskLayer?: RuntimeDiskLayer;
  /** Inbound listener traffic (HCM `downstream_rq_*` of the sidecar's inbound listener), when identifiable. */
  downstream: { rq_total: number; rq_xx: [number, number, number, number, number] } | undefined;
  /** Traffic policies from the config dump (circuit breakers, retries, faults, mirrors…). */
  policies?: SidecarPolicyConfig;
  /** The stats that show policies acting (breakers open, ejections, retries, timeouts, faults). */
  policyCounters?: PolicyCounters;
}
