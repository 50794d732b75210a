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

export type HttpFilter = { name: 'envoy.filters.http.router'; typedConfig?: Record<string, unknown> };

export interface AccessLog {
  sink: 'stdout' | 'stderr' | 'file';
  path?: string;
  /** Envoy command-operator format string; undefined means Envoy's default format. */
  format?: string;
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
  /** Parsed and validated; not acted on yet. */
  retryPolicy?: RetryPolicy;
}

export interface RetryPolicy {
  /** `retry_on` split at commas: `5xx`, `gateway-error`, `connect-failure`, … */
  retryOn: string[];
  /** `num_retries`, Envoy's default 1. */
  numRetries: number;
  perTryTimeoutMs?: number;
}

export interface DirectResponseAction {
  kind: 'direct';
  status: number;
  body?: string;
}

export type ClusterType = 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS';
export type LbPolicy = 'ROUND_ROBIN' | 'RANDOM' | 'LEAST_REQUEST';

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
  tls?: { sni?: string; caFile?: string; alpn?: string[] };
  /** `circuit_breakers.thresholds`, with Envoy's defaults filled in. Parsed, not enforced yet. */
  circuitBreakers?: { thresholds: CircuitBreakerThresholds[] };
}

export interface CircuitBreakerThresholds {
  priority: 'DEFAULT' | 'HIGH';
  /** Envoy's defaults: 1024 connections, 1024 pending, 1024 requests, 3 retries. */
  maxConnections: number;
  maxPendingRequests: number;
  maxRequests: number;
  maxRetries: number;
}

export type RuntimeLayer =
  | { kind: 'static'; name: string; values: Record<string, unknown> }
  | { kind: 'disk'; name: string; symlinkRoot: string; subdirectory: string; appendServiceCluster: boolean }
  | { kind: 'admin'; name: string };
