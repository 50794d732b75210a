// `/config_dump` → the traffic policies of one sidecar: per cluster (config.cluster.v3.Cluster)
// `circuit_breakers`, `outlier_detection`, HTTP `health_checks`, a consistent-hash `lb_policy` and an
// upstream TLS `transport_socket`; per route (config.route.v3.RouteAction) `retry_policy`, `timeout`,
// `idle_timeout`, `request_mirror_policies` and `hash_policy`, with the `envoy.filters.http.fault`
// filter of its HTTP connection manager (or the route's own `typed_per_filter_config` override).
import type { CircuitBreakerThresholds, MirrorPolicy, TlsPolicy } from '../../../shared/api/policies.ts';
import type {
  ClusterPolicyConfig,
  FaultConfig,
  RoutePolicyConfig,
  SidecarPolicyConfig,
} from '../../model/policy-config.ts';
import {
  type ConfigDumpParts,
  configDumpParts,
  type HcmRouteConfig,
  routeConfigsWithListeners,
} from './config-dump-walk.ts';
import {
  field,
  isJsonObject,
  type JsonObject,
  objectField,
  objectList,
  stringField,
  wrappedNumberField,
} from './proto-json.ts';
import { durationMs, fractionPercent, headerMatcherSummary } from './proto-values.ts';

const FAULT_NAMES: ReadonlySet<string> = new Set(['envoy.filters.http.fault', 'envoy.fault']);
const FAULT_TYPE_SUFFIX = '.HTTPFault';
const TLS_TYPE_SUFFIX = '.UpstreamTlsContext';
const HASH_LB_POLICIES: ReadonlySet<string> = new Set(['RING_HASH', 'MAGLEV']);

export function policiesFromConfigDump(doc: unknown): SidecarPolicyConfig {
  return policiesFromParts(configDumpParts(doc));
}

/** The same from a dump already walked (scrape-sidecar.ts walks it once for routes and policies). */
export function policiesFromParts(
  parts: ConfigDumpParts,
  routeConfigs = routeConfigsWithListeners(parts),
): SidecarPolicyConfig {
  const clusters = new Map<string, ClusterPolicyConfig>();
  for (const c of parts.clusters) {
    const name = stringField(c, 'name');
    if (name === undefined) continue;
    const policy = clusterPolicy(c);
    if (Object.keys(policy).length > 0) clusters.set(name, policy);
  }
  const routes: RoutePolicyConfig[] = [];
  for (const rc of routeConfigs) routePolicies(rc, routes);
  return { clusters, routes };
}

export function clusterPolicy(c: JsonObject): ClusterPolicyConfig {
  const out: ClusterPolicyConfig = {};
  const cb = objectField(c, 'circuit_breakers');
  if (cb !== undefined) out.circuitBreakers = objectList(cb, 'thresholds').map(thresholdsOf);
  const od = objectField(c, 'outlier_detection');
  if (od !== undefined) {
    // Envoy's defaults (config.cluster.v3.OutlierDetection): 5 consecutive 5xx, every 10 s, 30 s
    // ejection, at most 10 % of hosts; gateway-failure detection is off unless enforced.
    const gateway = wrappedNumberField(od, 'consecutive_gateway_failure');
    const enforcingGateway = wrappedNumberField(od, 'enforcing_consecutive_gateway_failure') ?? 0;
    out.outlierDetection = {
      consecutive5xx: wrappedNumberField(od, 'consecutive_5xx') ?? 5,
      ...(gateway !== undefined && enforcingGateway > 0 && { consecutiveGatewayFailure: gateway }),
      intervalMs: durationMs(field(od, 'interval')) ?? 10_000,
      baseEjectionTimeMs: durationMs(field(od, 'base_ejection_time')) ?? 30_000,
      maxEjectionPercent: wrappedNumberField(od, 'max_ejection_percent') ?? 10,
    };
  }
  const hc = objectList(c, 'health_checks').find((h) => objectField(h, 'http_health_check') !== undefined);
  if (hc !== undefined) {
    out.healthCheck = defined({
      path: stringField(objectField(hc, 'http_health_check'), 'path'),
      intervalMs: durationMs(field(hc, 'interval')),
      healthyThreshold: wrappedNumberField(hc, 'healthy_threshold'),
      unhealthyThreshold: wrappedNumberField(hc, 'unhealthy_threshold'),
    });
  }
  const lb = stringField(c, 'lb_policy');
  if (lb !== undefined && HASH_LB_POLICIES.has(lb)) out.hashLbPolicy = lb;
  const tls = upstreamTls(c);
  if (tls !== undefined) out.tls = tls;
  return out;
}

function thresholdsOf(t: JsonObject): CircuitBreakerThresholds {
  // `priority` is an enum: DEFAULT (0) is omitted by proto3 JSON.
  const p = field(t, 'priority');
  return defined({
    priority: p === 'HIGH' || p === 1 ? 'HIGH' : 'DEFAULT',
    maxConnections: wrappedNumberField(t, 'max_connections'),
    maxPendingRequests: wrappedNumberField(t, 'max_pending_requests'),
    maxRequests: wrappedNumberField(t, 'max_requests'),
    maxRetries: wrappedNumberField(t, 'max_retries'),
  }) as CircuitBreakerThresholds;
}

/** `transport_socket`, or one of `transport_socket_matches` (Istio's `tlsMode-istio`), with an UpstreamTlsContext. */
function upstreamTls(c: JsonObject): TlsPolicy | undefined {
  const sockets = [
    objectField(c, 'transport_socket'),
    ...objectList(c, 'transport_socket_matches').map((m) => objectField(m, 'transport_socket')),
  ];
  for (const socket of sockets) {
    const typed = objectField(socket, 'typed_config');
    const type = typed?.['@type'];
    if (typed === undefined || typeof type !== 'string' || !type.endsWith(TLS_TYPE_SUFFIX)) continue;
    const common = objectField(typed, 'common_tls_context');
    const mutual =
      objectList(common, 'tls_certificates').length > 0 ||
      objectList(common, 'tls_certificate_sds_secret_configs').length > 0;
    const sni = stringField(typed, 'sni');
    return sni ? { sni, mutual } : { mutual };
  }
  return undefined;
}

function routePolicies(source: HcmRouteConfig, out: RoutePolicyConfig[]): void {
  const hcmFault = hcmFaultOf(source.hcm);
  const statPrefix = stringField(source.hcm, 'stat_prefix') ?? '';
  for (const vh of objectList(source.routeConfig, 'virtual_hosts')) {
    const vhRetry = objectField(vh, 'retry_policy');
    const vhFault = faultOverride(vh);
    for (const route of objectList(vh, 'routes')) {
      const action = objectField(route, 'route');
      if (action === undefined) continue;
      const clusters = routeClusters(action);
      if (clusters.length === 0) continue;
      const policy: RoutePolicyConfig = {
        listener: source.listener,
        statPrefix,
        clusters,
        mirrors: mirrorsOf(action),
        hashOn: objectList(action, 'hash_policy').flatMap(hashOn),
      };
      // A route's `retry_policy` replaces the virtual host's (RouteAction.retry_policy).
      const retry = objectField(action, 'retry_policy') ?? vhRetry;
      if (retry !== undefined) {
        const perTry = durationMs(field(retry, 'per_try_timeout'));
        const retryOn = (stringField(retry, 'retry_on') ?? '').split(',').map((s) => s.trim());
        policy.retries = {
          retryOn: retryOn.filter((s) => s !== ''),
          numRetries: wrappedNumberField(retry, 'num_retries') ?? 1,
          ...(perTry !== undefined && { perTryTimeoutMs: perTry }),
        };
      }
      const timeout = durationMs(field(action, 'timeout'));
      if (timeout !== undefined) policy.timeoutMs = timeout;
      const idle = durationMs(field(action, 'idle_timeout'));
      if (idle !== undefined) policy.idleTimeoutMs = idle;
      // The HCM's filter runs only when it is in the chain; a per-route config overrides its settings.
      if (hcmFault !== undefined) {
        const fault = faultOverride(route) ?? vhFault ?? hcmFault.fault;
        if (fault !== undefined) policy.fault = fault;
      }
      // Routes that apply nothing are left out: most routes of a large mesh.
      const empty =
        policy.retries === undefined &&
        policy.timeoutMs === undefined &&
        policy.idleTimeoutMs === undefined &&
        policy.mirrors.length === 0 &&
        policy.hashOn.length === 0 &&
        policy.fault === undefined;
      if (!empty) out.push(policy);
    }
  }
}

function routeClusters(action: JsonObject): string[] {
  const single = stringField(action, 'cluster');
  if (single) return [single];
  return objectList(objectField(action, 'weighted_clusters'), 'clusters')
    .map((c) => stringField(c, 'name'))
    .filter((n): n is string => n !== undefined && n !== '');
}

function mirrorsOf(action: JsonObject): MirrorPolicy[] {
  // `request_mirror_policy` (singular) is the v2 field, still printed by old Envoys.
  const list = objectList(action, 'request_mirror_policies');
  const single = objectField(action, 'request_mirror_policy');
  if (single !== undefined) list.push(single);
  const out: MirrorPolicy[] = [];
  for (const m of list) {
    const cluster = stringField(m, 'cluster');
    if (!cluster) continue;
    const fraction = objectField(m, 'runtime_fraction');
    const percent =
      fraction === undefined ? 100 : (fractionPercent(objectField(fraction, 'default_value')) ?? 0);
    out.push({ cluster, percent });
  }
  return out;
}

function hashOn(h: JsonObject): string[] {
  const header = stringField(objectField(h, 'header'), 'header_name');
  if (header !== undefined) return [`header ${header}`];
  const cookie = stringField(objectField(h, 'cookie'), 'name');
  if (cookie !== undefined) return [`cookie ${cookie}`];
  if (field(objectField(h, 'connection_properties'), 'source_ip') === true) return ['source ip'];
  const query = stringField(objectField(h, 'query_parameter'), 'name');
  if (query !== undefined) return [`query ${query}`];
  const state = stringField(objectField(h, 'filter_state'), 'key');
  if (state !== undefined) return [`filter state ${state}`];
  return [];
}

/** The HCM's fault filter, if it has one in `http_filters` (its config may inject nothing by itself). */
function hcmFaultOf(hcm: JsonObject): { fault: FaultConfig | undefined } | undefined {
  for (const f of objectList(hcm, 'http_filters')) {
    const typed = objectField(f, 'typed_config');
    const type = typed?.['@type'];
    const isFault =
      FAULT_NAMES.has(stringField(f, 'name') ?? '') ||
      (typeof type === 'string' && type.endsWith(FAULT_TYPE_SUFFIX));
    if (isFault) return { fault: typed === undefined ? undefined : faultOf(typed) };
  }
  return undefined;
}

/** A route's or virtual host's `typed_per_filter_config` for the fault filter. */
function faultOverride(scope: JsonObject): FaultConfig | undefined {
  const per = objectField(scope, 'typed_per_filter_config');
  if (per === undefined) return undefined;
  for (const [name, value] of Object.entries(per)) {
    if (!isJsonObject(value)) continue;
    const type = value['@type'];
    // FilterConfig wraps the config in `config` (config.route.v3.FilterConfig).
    const inner =
      typeof type === 'string' && type.endsWith('.FilterConfig') ? objectField(value, 'config') : value;
    const innerType = inner?.['@type'];
    if (FAULT_NAMES.has(name) || (typeof innerType === 'string' && innerType.endsWith(FAULT_TYPE_SUFFIX))) {
      return inner === undefined ? undefined : faultOf(inner);
    }
  }
  return undefined;
}

/** HTTPFault → what it injects; undefined when it injects nothing (Istio's empty filter config). */
export function faultOf(f: JsonObject): FaultConfig | undefined {
  const abort = objectField(f, 'abort');
  const delay = objectField(f, 'delay');
  if (abort === undefined && delay === undefined) return undefined;
  const out: FaultConfig = { headers: objectList(f, 'headers').map(headerMatcherSummary) };
  if (abort !== undefined) {
    const status = wrappedNumberField(abort, 'http_status');
    // FaultAbort.percentage: a FractionalPercent, omitted = 0 % (nothing aborted).
    out.abort = {
      ...(status !== undefined && { httpStatus: status }),
      percent: fractionPercent(objectField(abort, 'percentage')) ?? 0,
    };
  }
  if (delay !== undefined) {
    const fixed = durationMs(field(delay, 'fixed_delay'));
    out.delay = {
      ...(fixed !== undefined && { fixedDelayMs: fixed }),
      percent: fractionPercent(objectField(delay, 'percentage')) ?? 0,
    };
  }
  return out;
}

/** Drops undefined properties (exactOptionalPropertyTypes-friendly literals). */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o as { [K in keyof T]: Exclude<T[K], undefined> };
}
