// Traffic policies on an edge (what a caller's sidecar applies on its way to one destination) and on a
// node (faults on its own inbound listener, and what its callers apply towards it), each with the
// figures that show it acting. Read from Envoy's /config_dump and stats, or from Istio's
// VirtualService and DestinationRule objects; field meanings follow Envoy's v3 API (cited per field).
import { z } from 'zod';

/** `cluster.circuit_breakers.thresholds[]` (config.cluster.v3.CircuitBreakers.Thresholds). */
export const CircuitBreakerThresholdsSchema = z.object({
  priority: z.enum(['DEFAULT', 'HIGH']),
  maxConnections: z.number().optional(),
  maxPendingRequests: z.number().optional(),
  maxRequests: z.number().optional(),
  maxRetries: z.number().optional(),
});
export type CircuitBreakerThresholds = z.infer<typeof CircuitBreakerThresholdsSchema>;

export const CircuitBreakerPolicySchema = z.object({
  thresholds: z.array(CircuitBreakerThresholdsSchema),
  /**
   * Breakers open now, from the `circuit_breakers.<priority>.<resource>_open` gauges, as
   * `<priority>.<resource>` (e.g. `default.rq_pending`, `high.cx`).
   */
  open: z.array(z.string()),
  /** Requests per second refused by a breaker (UO: `upstream_rq_pending_overflow` + `upstream_cx_overflow`). */
  overflowRps: z.number().nonnegative(),
  /** Retries per second not attempted because `max_retries` was reached (`upstream_rq_retry_overflow`). */
  retryOverflowRps: z.number().nonnegative(),
});
export type CircuitBreakerPolicy = z.infer<typeof CircuitBreakerPolicySchema>;

/** `cluster.outlier_detection` (config.cluster.v3.OutlierDetection). */
export const OutlierDetectionPolicySchema = z.object({
  consecutive5xx: z.number().optional(),
  consecutiveGatewayFailure: z.number().optional(),
  intervalMs: z.number().optional(),
  baseEjectionTimeMs: z.number().optional(),
  maxEjectionPercent: z.number().optional(),
  /** Hosts ejected now (`outlier_detection.ejections_active`, or hosts flagged failed_outlier_check). */
  ejectedHosts: z.number().nonnegative(),
});
export type OutlierDetectionPolicy = z.infer<typeof OutlierDetectionPolicySchema>;

/** `cluster.health_checks[]` with an `http_health_check` (config.core.v3.HealthCheck). */
export const HealthCheckPolicySchema = z.object({
  path: z.string().optional(),
  intervalMs: z.number().optional(),
  healthyThreshold: z.number().optional(),
  unhealthyThreshold: z.number().optional(),
  /** `membership_healthy` / `membership_total` gauges; null when the stats do not say. */
  healthyHosts: z.number().nullable(),
  totalHosts: z.number().nullable(),
});
export type HealthCheckPolicy = z.infer<typeof HealthCheckPolicySchema>;

/** Consistent hashing: `lb_policy` RING_HASH or MAGLEV with the route's `hash_policy` (or Istio's consistentHash). */
export const HashPolicySchema = z.object({
  lbPolicy: z.string(),
  /** What the hash is taken from: `header x-user`, `cookie user`, `source ip`, `query id`. */
  hashOn: z.array(z.string()),
});
export type HashPolicy = z.infer<typeof HashPolicySchema>;

/** `route.retry_policy` (config.route.v3.RetryPolicy). */
export const RetryPolicySchema = z.object({
  retryOn: z.array(z.string()),
  /** `num_retries`, Envoy's default 1. */
  numRetries: z.number(),
  perTryTimeoutMs: z.number().optional(),
  /** Retries per second (`upstream_rq_retry`). */
  rps: z.number().nonnegative(),
});
export type RetryPolicyView = z.infer<typeof RetryPolicySchema>;

/** `route.timeout` (default 15 s; 0 disables) and `idle_timeout`. */
export const TimeoutPolicySchema = z.object({
  timeoutMs: z.number().nonnegative(),
  idleTimeoutMs: z.number().optional(),
  /** Requests per second that timed out (`upstream_rq_timeout`, answered 504 UT). */
  rps: z.number().nonnegative(),
});
export type TimeoutPolicy = z.infer<typeof TimeoutPolicySchema>;

/** `route.request_mirror_policies[]`: a copy of each request goes to `cluster`, the answer is dropped. */
export const MirrorPolicySchema = z.object({
  cluster: z.string(),
  /** `runtime_fraction.default_value` as a percentage; 100 when absent. */
  percent: z.number().min(0).max(100),
});
export type MirrorPolicy = z.infer<typeof MirrorPolicySchema>;

/** `envoy.filters.http.fault` (extensions.filters.http.fault.v3.HTTPFault). */
export const FaultPolicySchema = z.object({
  abort: z.object({ httpStatus: z.number().optional(), percent: z.number() }).optional(),
  delay: z.object({ fixedDelayMs: z.number().optional(), percent: z.number() }).optional(),
  /** `headers`: the fault applies only to requests matching all of them (`end-user = jason`). */
  headers: z.array(z.string()),
  /** Faults injected per second (`http.<prefix>.fault.aborts_injected` / `delays_injected`). */
  abortsRps: z.number().nonnegative(),
  delaysRps: z.number().nonnegative(),
});
export type FaultPolicy = z.infer<typeof FaultPolicySchema>;

/** Upstream `transport_socket` envoy.transport_sockets.tls (UpstreamTlsContext), or Istio's ISTIO_MUTUAL. */
export const TlsPolicySchema = z.object({
  sni: z.string().optional(),
  /** A client certificate is presented: mutual TLS. */
  mutual: z.boolean(),
});
export type TlsPolicy = z.infer<typeof TlsPolicySchema>;

export const PoliciesSchema = z.object({
  circuitBreaker: CircuitBreakerPolicySchema.optional(),
  outlierDetection: OutlierDetectionPolicySchema.optional(),
  healthCheck: HealthCheckPolicySchema.optional(),
  hash: HashPolicySchema.optional(),
  retries: RetryPolicySchema.optional(),
  timeout: TimeoutPolicySchema.optional(),
  mirrors: z.array(MirrorPolicySchema).optional(),
  fault: FaultPolicySchema.optional(),
  tls: TlsPolicySchema.optional(),
  /** Where the policies were read: the sidecars' Envoy configuration, or Istio objects. */
  sources: z.array(z.enum(['envoy', 'istio'])).optional(),
});
export type Policies = z.infer<typeof PoliciesSchema>;

export const PolicyBadgeSchema = z.enum([
  'circuitBreaker',
  'circuitBreakerOpen',
  'outlierDetection',
  'ejected',
  'healthCheck',
  'retries',
  'timeout',
  'fault',
  'mirror',
  'hash',
  'tls',
]);
export type PolicyBadge = z.infer<typeof PolicyBadgeSchema>;

/**
 * The badges a set of policies earns, in a fixed order. A route timeout is only a badge when it is set
 * (not Envoy's default 15 s, not disabled) or when requests timed out.
 */
export function policyBadges(p: Policies | undefined): PolicyBadge[] {
  if (p === undefined) return [];
  const out: PolicyBadge[] = [];
  const cb = p.circuitBreaker;
  if (cb !== undefined)
    out.push(cb.open.length > 0 || cb.overflowRps > 0 ? 'circuitBreakerOpen' : 'circuitBreaker');
  if (p.outlierDetection !== undefined) {
    out.push(p.outlierDetection.ejectedHosts > 0 ? 'ejected' : 'outlierDetection');
  }
  if (p.healthCheck !== undefined) out.push('healthCheck');
  if (p.retries !== undefined) out.push('retries');
  const t = p.timeout;
  // Istio writes `timeout: 0s` (disabled) on every route it generates: no badge for that either.
  if (t !== undefined && ((t.timeoutMs > 0 && t.timeoutMs !== DEFAULT_ROUTE_TIMEOUT_MS) || t.rps > 0)) {
    out.push('timeout');
  }
  if (p.fault !== undefined) out.push('fault');
  if (p.mirrors !== undefined && p.mirrors.length > 0) out.push('mirror');
  if (p.hash !== undefined) out.push('hash');
  if (p.tls !== undefined) out.push('tls');
  return out;
}

/** Envoy's `route.timeout` when unset. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
