// Traffic policies one sidecar is configured with (from its /config_dump), and the stats that show
// them acting (from /stats/prometheus), before they are matched to graph edges. Configuration pieces
// reuse the wire shapes of shared/api/policies.ts without their figures.
import type {
  CircuitBreakerThresholds,
  FaultPolicy,
  HealthCheckPolicy,
  MirrorPolicy,
  OutlierDetectionPolicy,
  Policies,
  RetryPolicyView,
  TlsPolicy,
} from '../../shared/api/policies.ts';

export type FaultConfig = Omit<FaultPolicy, 'abortsRps' | 'delaysRps'>;

export interface ClusterPolicyConfig {
  circuitBreakers?: CircuitBreakerThresholds[];
  outlierDetection?: Omit<OutlierDetectionPolicy, 'ejectedHosts'>;
  healthCheck?: Omit<HealthCheckPolicy, 'healthyHosts' | 'totalHosts'>;
  /** `lb_policy` when it is a consistent-hash one (RING_HASH, MAGLEV). */
  hashLbPolicy?: string;
  tls?: TlsPolicy;
}

/** What one route applies to the clusters it sends to. */
export interface RoutePolicyConfig {
  listener: string;
  /** The HCM's `stat_prefix`: its fault stats are `http.<prefix>.fault.*`. */
  statPrefix: string;
  /** `cluster`, or every named cluster of `weighted_clusters`. */
  clusters: string[];
  retries?: Omit<RetryPolicyView, 'rps'>;
  /** Explicit `timeout` (ms; 0 disables); undefined = Envoy's default 15 s. */
  timeoutMs?: number;
  idleTimeoutMs?: number;
  mirrors: MirrorPolicy[];
  /** `hash_policy` entries in words (`header x-user`). */
  hashOn: string[];
  /** The fault filter's effect on this route: the route's own `typed_per_filter_config`, else the HCM's. */
  fault?: FaultConfig;
}

export interface SidecarPolicyConfig {
  clusters: Map<string, ClusterPolicyConfig>;
  routes: RoutePolicyConfig[];
}

/** Per upstream cluster, cumulative (the gauges are sidecar-data.ts ClusterGauges). */
export interface ClusterPolicyCounters {
  upstream_rq_retry: number;
  upstream_rq_retry_overflow: number;
  upstream_rq_timeout: number;
}

export interface PolicyCounters {
  clusters: Map<string, ClusterPolicyCounters>;
  /** Per HCM stat prefix, cumulative `fault.aborts_injected` / `fault.delays_injected`. */
  faults: Map<string, { aborts: number; delays: number }>;
}

/** Per-second rates of the policy counters over a window. */
export interface ClusterPolicyFigures {
  retryRps: number;
  retryOverflowRps: number;
  timeoutRps: number;
}

export interface FaultFigures {
  abortsRps: number;
  delaysRps: number;
}

export interface PolicyFigures {
  clusters: Map<string, ClusterPolicyFigures>;
  /** By HCM stat prefix. */
  faults: Map<string, FaultFigures>;
}

/**
 * Policies Istio objects set for a destination host (FQDN), or one subset of it (DestinationRule
 * subsets select pods by `labels`, usually `version`). Figures are 0: they come from the sidecars.
 */
export interface IstioHostPolicy {
  host: string;
  subset?: string;
  labels?: Record<string, string>;
  policies: Policies;
}
