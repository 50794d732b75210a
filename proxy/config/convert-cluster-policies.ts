// outlier_detection, health_checks, ring_hash_lb_config, maglev_lb_config and
// common_lb_config.healthy_panic_threshold (schema output) → model,
// with Envoy's defaults (envoy.config.cluster.v3.OutlierDetection, envoy.config.core.v3.HealthCheck)
// and the checks Envoy makes when it builds the cluster.

import { type FieldPath, fail } from './config-error.ts';
import type { Cluster, HealthCheck, OutlierDetection } from './model.ts';
import type {
  CommonLbConfigInput,
  HealthCheckInput,
  MaglevLbConfigInput,
  OutlierDetectionInput,
  RingHashLbConfigInput,
} from './schema-cluster-policies.ts';
import { NOT_SUPPORTED_YET } from './schema-common.ts';

/** Envoy caps both ring sizes at 8M entries. */
const MAX_RING_SIZE = 8 * 1024 * 1024;
/** Envoy's upper bound for `maglev_lb_config.table_size`. */
const MAX_MAGLEV_TABLE_SIZE = 5_000_011;

function positive(ms: number, path: FieldPath): number {
  if (ms <= 0) fail(path, 'must be greater than 0');
  return ms;
}

export function convertOutlierDetection(o: OutlierDetectionInput, path: FieldPath): OutlierDetection {
  const baseEjectionTimeMs = positive(o.base_ejection_time ?? 30_000, [...path, 'base_ejection_time']);
  return {
    consecutive5xx: o.consecutive_5xx ?? 5,
    consecutiveGatewayFailure: o.consecutive_gateway_failure ?? 5,
    intervalMs: positive(o.interval ?? 10_000, [...path, 'interval']),
    baseEjectionTimeMs,
    // "the default value (300000ms or 300s) or base_ejection_time value is applied, whatever is larger"
    maxEjectionTimeMs: positive(o.max_ejection_time ?? Math.max(300_000, baseEjectionTimeMs), [
      ...path,
      'max_ejection_time',
    ]),
    maxEjectionPercent: o.max_ejection_percent ?? 10,
    enforcingConsecutive5xx: o.enforcing_consecutive_5xx ?? 100,
    enforcingConsecutiveGatewayFailure: o.enforcing_consecutive_gateway_failure ?? 0,
    successfulActiveHealthCheckUnejectHost: o.successful_active_health_check_uneject_host ?? true,
  };
}

function convertRanges(
  ranges: readonly { start: number; end: number }[] | undefined,
  path: FieldPath,
): { start: number; end: number }[] | undefined {
  return ranges?.map((r, i) => {
    // Envoy: start >= 100, end <= 600, start < end.
    if (r.start < 100) fail([...path, i, 'start'], `must be at least 100, got ${r.start}`);
    if (r.end > 600) fail([...path, i, 'end'], `must be at most 600, got ${r.end}`);
    if (r.start >= r.end) fail([...path, i], `is empty: start ${r.start} must be less than end ${r.end}`);
    return { start: r.start, end: r.end };
  });
}

export function convertHealthCheck(h: HealthCheckInput, path: FieldPath): HealthCheck {
  const http = h.http_health_check;
  if (http === undefined) {
    fail(
      path,
      `needs http_health_check (tcp_health_check, grpc_health_check and custom_health_check are ${NOT_SUPPORTED_YET})`,
    );
  }
  const intervalMs = positive(h.interval, [...path, 'interval']);
  const unhealthyIntervalMs = h.unhealthy_interval ?? intervalMs;
  const noTrafficIntervalMs = h.no_traffic_interval ?? 60_000;
  for (const k of ['unhealthy_threshold', 'healthy_threshold'] as const) {
    if (h[k] < 1) fail([...path, k], 'must be at least 1');
  }
  const httpPath = [...path, 'http_health_check'];
  const expectedStatuses = convertRanges(http.expected_statuses, [...httpPath, 'expected_statuses']);
  return {
    timeoutMs: positive(h.timeout, [...path, 'timeout']),
    intervalMs,
    initialJitterMs: h.initial_jitter ?? 0,
    intervalJitterMs: h.interval_jitter ?? 0,
    unhealthyThreshold: h.unhealthy_threshold,
    healthyThreshold: h.healthy_threshold,
    noTrafficIntervalMs,
    noTrafficHealthyIntervalMs: h.no_traffic_healthy_interval ?? noTrafficIntervalMs,
    unhealthyIntervalMs,
    unhealthyEdgeIntervalMs: h.unhealthy_edge_interval ?? unhealthyIntervalMs,
    healthyEdgeIntervalMs: h.healthy_edge_interval ?? intervalMs,
    reuseConnection: h.reuse_connection ?? true,
    http: {
      path: http.path,
      ...(http.host !== undefined && http.host !== '' ? { host: http.host } : {}),
      // Envoy's default: 200 only.
      expectedStatuses:
        expectedStatuses !== undefined && expectedStatuses.length > 0
          ? expectedStatuses
          : [{ start: 200, end: 201 }],
      retriableStatuses: convertRanges(http.retriable_statuses, [...httpPath, 'retriable_statuses']) ?? [],
    },
  };
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

export interface ClusterPoliciesInput {
  outlier_detection?: OutlierDetectionInput | undefined;
  health_checks?: HealthCheckInput[] | undefined;
  ring_hash_lb_config?: RingHashLbConfigInput | undefined;
  maglev_lb_config?: MaglevLbConfigInput | undefined;
  common_lb_config?: CommonLbConfigInput | undefined;
}

type PolicyFields =
  | 'outlierDetection'
  | 'healthChecks'
  | 'ringHash'
  | 'maglevTableSize'
  | 'healthyPanicThreshold';

/** The model fields for a cluster's host-level policies (only those configured). */
export function convertClusterPolicies(
  c: ClusterPoliciesInput,
  path: FieldPath,
): Pick<Cluster, PolicyFields> {
  const out: Pick<Cluster, PolicyFields> = {};
  if (c.outlier_detection !== undefined) {
    out.outlierDetection = convertOutlierDetection(c.outlier_detection, [...path, 'outlier_detection']);
  }
  const hcs = c.health_checks ?? [];
  // Envoy: "Multiple health checks not supported".
  if (hcs.length > 1)
    fail([...path, 'health_checks'], 'has more than one health check; Envoy supports one per cluster');
  if (hcs[0] !== undefined) out.healthChecks = [convertHealthCheck(hcs[0], [...path, 'health_checks', 0])];
  const ring = c.ring_hash_lb_config;
  if (ring !== undefined) {
    const rp = [...path, 'ring_hash_lb_config'];
    const minimumRingSize = ring.minimum_ring_size ?? 1024;
    const maximumRingSize = ring.maximum_ring_size ?? MAX_RING_SIZE;
    if (minimumRingSize > MAX_RING_SIZE)
      fail([...rp, 'minimum_ring_size'], `must be at most ${MAX_RING_SIZE}`);
    if (maximumRingSize > MAX_RING_SIZE)
      fail([...rp, 'maximum_ring_size'], `must be at most ${MAX_RING_SIZE}`);
    if (minimumRingSize > maximumRingSize) {
      fail(
        rp,
        `has minimum_ring_size (${minimumRingSize}) greater than maximum_ring_size (${maximumRingSize})`,
      );
    }
    out.ringHash = { minimumRingSize, maximumRingSize };
  }
  const tableSize = c.maglev_lb_config?.table_size;
  if (tableSize !== undefined) {
    const tp = [...path, 'maglev_lb_config', 'table_size'];
    if (tableSize > MAX_MAGLEV_TABLE_SIZE)
      fail(tp, `must be at most ${MAX_MAGLEV_TABLE_SIZE}, got ${tableSize}`);
    // Envoy: "The table size of maglev must be prime number".
    if (!isPrime(tableSize)) fail(tp, `must be a prime number, got ${tableSize}`);
    out.maglevTableSize = tableSize;
  }
  const panic = c.common_lb_config?.healthy_panic_threshold;
  // Envoy reads the Percent rounded to a whole percent (PROTOBUF_PERCENT_TO_ROUNDED_INTEGER_OR_DEFAULT);
  // `{}` is a set threshold of 0, not the default.
  if (panic !== undefined) out.healthyPanicThreshold = Math.round(panic.value ?? 0);
  return out;
}
