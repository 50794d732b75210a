// The proxy's normalized configuration: what the bootstrap loader produces after validating an Envoy v3
// bootstrap (YAML or JSON, snake_case or lowerCamelCase field names). Durations are milliseconds,
// enums are upper-case strings as in the protos, regexes are compiled. Every other proxy module reads
// this model, never the raw document; the raw document is kept only for /config_dump.

export interface SocketAddress {
  address: string;
  port: number;
}

export interface Bootstrap {
  node: { id: string; cluster: string };
  admin?: { address: SocketAddress; accessLogPath?: string; accessLogs?: AccessLog[] };
  listeners: Listener[];
  clusters: Cluster[];
  layeredRuntime: RuntimeLayer[];
  /** The document as parsed (after camelCase → snake_case), for /config_dump. */
  raw: Record<string, unknown>;
}

export interface Listener {
  name: string;
  address: SocketAddress;
  /** One HTTP connection manager per listener (the first filter chain's). */
  hcm: HttpConnectionManager;
  /** Set when the filter chain has a TLS transport_socket (DownstreamTlsContext). */
  tls?: DownstreamTls;
}

export interface HttpConnectionManager {
  statPrefix: string;
  codecType: 'AUTO' | 'HTTP1' | 'HTTP2';
  routeConfig: RouteConfig;
  /** Set when routes came from `rds` with a `path_config_source`: the file is watched like the bootstrap. */
  rdsPath?: string;
  httpFilters: HttpFilter[];
  accessLogs: AccessLog[];
  /** `server_name`: the `server` header written on responses (Envoy's default "envoy"). */
  serverName: string;
  /** `upgrade_configs[].upgrade_type`, lower-cased (e.g. "websocket"): upgrades Envoy lets through. */
  upgradeTypes?: string[];
  // The loader always sets the four below (Envoy's defaults when absent); optional for hand-built models.
  /** `use_remote_address`, default false. */
  useRemoteAddress?: boolean;
  /** `generate_request_id`, default true. */
  generateRequestId?: boolean;
  /** `stream_idle_timeout`, Envoy's default 5 minutes; 0 disables. */
  streamIdleTimeoutMs?: number;
  /** `request_timeout`, default 0 (disabled). */
  requestTimeoutMs?: number;
}

export type HttpFilter =
  | { name: 'envoy.filters.http.router'; typedConfig?: Record<string, unknown> }
  | { name: 'envoy.filters.http.fault'; fault: FaultConfig };

/** envoy.type.v3.FractionalPercent: `numerator` out of 100, 10,000 or 1,000,000. */
export interface FractionalPercent {
  numerator: number;
  denominator: 100 | 10_000 | 1_000_000;
}

/** envoy.extensions.filters.http.fault.v3.HTTPFault (filter config, or a route's per-filter override). */
export interface FaultConfig {
  /** Exactly one of `fixedDelayMs` and `fromHeader` (`header_delay`: x-envoy-fault-delay-request). */
  delay?: { fixedDelayMs?: number; fromHeader?: true; percentage: FractionalPercent };
  /** Exactly one of `httpStatus` and `fromHeader` (`header_abort`: x-envoy-fault-abort-request). */
  abort?: { httpStatus?: number; fromHeader?: true; percentage: FractionalPercent };
  /** Every matcher must match for a fault to be considered (Envoy's `headers`). */
  headers: HeaderMatcher[];
  /** `downstream_nodes`: only callers whose x-envoy-downstream-service-node is listed; undefined = all. */
  downstreamNodes?: string[];
  /** `max_active_faults`; undefined means no limit. */
  maxActiveFaults?: number;
  /** Runtime keys (Envoy's defaults `fault.http.…`, or the `*_runtime` fields). */
  runtimeKeys: {
    delayPercent: string;
    abortPercent: string;
    delayDurationMs: string;
    abortHttpStatus: string;
    maxActiveFaults: string;
  };
  /** `disable_downstream_cluster_stats`. */
  disableDownstreamClusterStats: boolean;
}

/** Downstream TLS (a filter chain's transport_socket with a DownstreamTlsContext). */
export interface DownstreamTls {
  /** PEM certificate chains and private keys (`tls_certificates`, read from file or inline). */
  certificates: { certificateChain: string; privateKey: string }[];
  /** PEM CA bundle from `validation_context.trusted_ca`: client certificates must chain to it. */
  trustedCa?: string;
  /** `require_client_certificate`, default false. */
  requireClientCertificate: boolean;
  alpn?: string[];
}

export interface AccessLog {
  sink: 'stdout' | 'stderr' | 'file';
  path?: string;
  /** Envoy command-operator format string; undefined means Envoy's default format. */
  format?: string;
  /** `log_format.json_format`: one JSON object per line (set instead of `format`). */
  jsonFormat?: Record<string, unknown>;
}

export interface RouteConfig {
  name: string;
  virtualHosts: VirtualHost[];
}

export interface VirtualHost {
  name: string;
  /** Lower-cased. `*` alone, `*.suffix`, `prefix.*`, or exact; may carry a port. */
  domains: string[];
  routes: Route[];
}

export interface Route {
  name?: string;
  match: RouteMatch;
  action: RouteAction | DirectResponseAction;
  /** `typed_per_filter_config["envoy.filters.http.fault"]`: replaces the fault filter's config on this route. */
  faultOverride?: FaultConfig;
}

export interface RouteMatch {
  /** Exactly one of prefix, path, safeRegex is set. */
  prefix?: string;
  path?: string;
  safeRegex?: RegExp;
  caseSensitive: boolean;
  headers: HeaderMatcher[];
  queryParameters: QueryParameterMatcher[];
}

export type StringMatcher =
  | { kind: 'exact'; value: string; ignoreCase: boolean }
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'contains'; value: string; ignoreCase: boolean }
  | { kind: 'regex'; regex: RegExp };

export interface HeaderMatcher {
  /** Lower-cased header name. */
  name: string;
  /** `present` matches on presence alone (present_match: true); absent-match is present + invert. */
  match: StringMatcher | { kind: 'present'; present: boolean };
  invert: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  match: StringMatcher | { kind: 'present'; present: boolean };
}

export interface WeightedCluster {
  name: string;
  weight: number;
}

export interface RouteAction {
  kind: 'route';
  /** Exactly one of cluster and weightedClusters is set. */
  cluster?: string;
  weightedClusters?: {
    clusters: WeightedCluster[];
    /** Envoy: when set, the weights must sum to it; otherwise the sum of the weights is the total. */
    totalWeight?: number;
    /** Cluster C's weight is the runtime integer `<prefix>.<C>`, read per request. */
    runtimeKeyPrefix?: string;
  };
  hostRewriteLiteral?: string;
  prefixRewrite?: string;
  /** Upstream response timeout; Envoy's default is 15 s; 0 disables. */
  timeoutMs: number;
  /** Stream idle timeout override for this route; undefined means none. */
  idleTimeoutMs?: number;
  /** Applied by the exchange through server/retry-state.ts. */
  retryPolicy?: RetryPolicy;
  /** `hash_policy`: the request hash for RING_HASH / MAGLEV clusters (router/hash-policy.ts). */
  hashPolicy?: HashPolicy[];
  /** `priority`: which circuit-breaker thresholds (and connection pools) the route uses; default DEFAULT. */
  priority?: 'DEFAULT' | 'HIGH';
  /** `request_mirror_policies`: fire-and-forget copies to shadow clusters. */
  requestMirrorPolicies?: RequestMirrorPolicy[];
}

export interface RetryPolicy {
  /** `retry_on` split at commas: `5xx`, `gateway-error`, `connect-failure`, … */
  retryOn: string[];
  /** `num_retries`, Envoy's default 1. */
  numRetries: number;
  perTryTimeoutMs?: number;
  /** `retriable_status_codes`, for `retry_on: retriable-status-codes`. */
  retriableStatusCodes?: number[];
  /** `retry_back_off`; Envoy's default base 25 ms, max 10 × base. */
  backOff?: { baseIntervalMs: number; maxIntervalMs?: number };
}

export interface RequestMirrorPolicy {
  cluster: string;
  /**
   * `runtime_fraction`: mirror when a draw falls under `numerator / denominator`, the numerator read
   * from runtime key `runtimeKey` when set there; undefined mirrors every request.
   */
  runtimeFraction?: { numerator: number; denominator: number; runtimeKey?: string };
  /** `disable_shadow_host_suffix_append`: keep the Host as is instead of adding `-shadow`. */
  disableShadowHostSuffixAppend?: boolean;
}

export interface DirectResponseAction {
  kind: 'direct';
  status: number;
  body?: string;
}

export type ClusterType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS';
export type LbPolicy = 'ROUND_ROBIN' | 'RANDOM' | 'LEAST_REQUEST' | 'RING_HASH' | 'MAGLEV';

export interface Endpoint {
  /** IP address or DNS name (for *_DNS clusters). */
  address: string;
  port: number;
  /** `load_balancing_weight`, default 1. */
  weight: number;
  /** `endpoint.hostname`: the name used for host rewriting and health checks, when set. */
  hostname?: string;
}

export interface Cluster {
  name: string;
  type: ClusterType;
  lbPolicy: LbPolicy;
  connectTimeoutMs: number;
  /** STRICT_DNS / LOGICAL_DNS: re-resolution period, Envoy default 5000 ms. */
  dnsRefreshRateMs: number;
  dnsLookupFamily: 'AUTO' | 'V4_ONLY' | 'V6_ONLY' | 'V4_PREFERRED' | 'ALL';
  endpoints: Endpoint[];
  /** Upstream TLS (transport_socket envoy.transport_sockets.tls with an UpstreamTlsContext). */
  tls?: {
    sni?: string;
    /** `validation_context.trusted_ca.filename` (read when the cluster's pools are made). */
    caFile?: string;
    /** `validation_context.trusted_ca.inline_string`. */
    caPem?: string;
    alpn?: string[];
    /** `common_tls_context.tls_certificates[0]` (PEM): the client certificate offered for mutual TLS. */
    clientCertificate?: { certificateChain: string; privateKey: string };
  };
  /** `circuit_breakers.thresholds`, with Envoy's defaults filled in (enforced by upstream/resource-manager.ts). */
  circuitBreakers?: { thresholds: CircuitBreakerThresholds[] };
  /** `max_requests_per_connection` (Istio's maxRequestsPerConnection): close a connection after that many requests. */
  maxRequestsPerConnection?: number;
  /** `outlier_detection`, Envoy's defaults filled in (upstream/outlier-detector.ts). */
  outlierDetection?: OutlierDetection;
  /** `health_checks` (HTTP only), defaults filled in (upstream/health-checker.ts). */
  healthChecks?: HealthCheck[];
  /** `ring_hash_lb_config` for RING_HASH (Envoy's defaults 1024 and 8M entries). */
  ringHash?: { minimumRingSize: number; maximumRingSize: number };
  /** `maglev_lb_config.table_size` for MAGLEV (Envoy's default 65537). */
  maglevTableSize?: number;
  /**
   * `common_lb_config.healthy_panic_threshold` in whole percent (0 disables panic); unset means Envoy's
   * default 50 (upstream/load-balancer.ts).
   */
  healthyPanicThreshold?: number;
}

export interface CircuitBreakerThresholds {
  priority: 'DEFAULT' | 'HIGH';
  /** Envoy's defaults: 1024 connections, 1024 pending, 1024 requests, 3 retries. */
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
  /** `track_remaining`: publish the `circuit_breakers.<priority>.remaining_*` gauges. */
  trackRemaining?: boolean;
}

export type RuntimeLayer =
  | { kind: 'static'; name: string; values: Record<string, unknown> }
  | { kind: 'disk'; name: string; symlinkRoot: string; subdirectory: string; appendServiceCluster: boolean }
  | { kind: 'admin'; name: string };

/** envoy.config.cluster.v3.OutlierDetection (consecutive errors), Envoy's defaults filled in. */
export interface OutlierDetection {
  /** Default 5. */
  consecutive5xx: number;
  /** Default 5. */
  consecutiveGatewayFailure: number;
  /** Sweep period (un-ejection), default 10 s. */
  intervalMs: number;
  /** Default 30 s; an ejection lasts base × (times ejected in a row), capped by maxEjectionTimeMs. */
  baseEjectionTimeMs: number;
  /** Default max(300 s, base). */
  maxEjectionTimeMs: number;
  /** Default 10. */
  maxEjectionPercent: number;
  /** Percent of detections that eject; Envoy's defaults 100 (5xx) and 0 (gateway failure). */
  enforcingConsecutive5xx: number;
  enforcingConsecutiveGatewayFailure: number;
  /** A passing active health check un-ejects the host at once; default true. */
  successfulActiveHealthCheckUnejectHost: boolean;
}

/** envoy.config.core.v3.HealthCheck with an `http_health_check`, Envoy's defaults filled in. */
export interface HealthCheck {
  timeoutMs: number;
  intervalMs: number;
  /** Default 0 (no jitter). */
  initialJitterMs: number;
  intervalJitterMs: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
  /** Used while the cluster has never had traffic; default 60 s. */
  noTrafficIntervalMs: number;
  /** Same, for a healthy host; defaults to noTrafficIntervalMs. */
  noTrafficHealthyIntervalMs: number;
  /** Default intervalMs. */
  unhealthyIntervalMs: number;
  /** Default unhealthyIntervalMs. */
  unhealthyEdgeIntervalMs: number;
  /** Default intervalMs. */
  healthyEdgeIntervalMs: number;
  /** `reuse_connection`, default true. */
  reuseConnection: boolean;
  http: {
    path: string;
    /** The Host header; Envoy's default is the cluster name. */
    host?: string;
    /** Half-open ranges [start, end); default [[200, 201)]. */
    expectedStatuses: { start: number; end: number }[];
    retriableStatuses: { start: number; end: number }[];
  };
}

/** One envoy.config.route.v3.RouteAction.HashPolicy. */
export type HashPolicy = (
  | { kind: 'header'; headerName: string }
  | { kind: 'cookie'; name: string }
  | { kind: 'sourceIp' }
) & { terminal: boolean };
