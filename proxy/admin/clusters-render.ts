// /clusters in Envoy's two formats (server/admin/clusters_handler.cc). Text: one `cluster::key::value`
// line per fact, hosts as `cluster::ip:port::stat::value`. JSON: `envoy.admin.v3.Clusters` printed as
// proto3 JSON: default values omitted, uint64 as strings, fields in proto field-number order.
import type { CircuitBreakerThresholds, Cluster } from '../config/model.ts';
import type { Host, HostStats } from '../upstream/host.ts';
import { hostPort, prettyJson, socketAddressJson } from './proto-json.ts';

export interface ClusterView {
  config: Cluster;
  hosts: readonly Host[];
}

type Thresholds = Omit<CircuitBreakerThresholds, 'priority'>;

/** Envoy's defaults for `circuit_breakers.thresholds` (1024/1024/1024/3), same for DEFAULT and HIGH. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
};

/** The configured thresholds of one priority, or Envoy's defaults. */
export function thresholdsOf(c: Cluster, priority: 'DEFAULT' | 'HIGH'): Thresholds {
  return c.circuitBreakers?.thresholds.find((t) => t.priority === priority) ?? DEFAULT_THRESHOLDS;
}

// Envoy's host stats: counters first, then gauges, each in the order `HostStats` declares them.
const HOST_COUNTERS = [
  'cx_connect_fail',
  'cx_total',
  'rq_error',
  'rq_success',
  'rq_timeout',
  'rq_total',
] as const;
const HOST_GAUGES = ['cx_active', 'rq_active'] as const;

/** Envoy's `HostUtility::healthFlagsToString`: `healthy`, or `/flag/flag` for the flags set. */
export function healthFlags(h: Host): string {
  let s = '';
  if (h.failedActiveHealthCheck) s += '/failed_active_hc';
  if (h.failedOutlierCheck) s += '/failed_outlier_check';
  if (h.pendingDynamicRemoval) s += '/pending_dynamic_removal';
  return s === '' ? 'healthy' : s;
}

/** Envoy leaves `hostname` empty for endpoints given as IP addresses. */
function hostname(h: Host): string {
  return h.hostname === h.address ? '' : h.hostname;
}

export function renderClustersText(clusters: Iterable<ClusterView>): string {
  const out: string[] = [];
  for (const { config, hosts } of clusters) {
    const n = config.name;
    out.push(`${n}::observability_name::${n}\n`);
    for (const priority of ['default', 'high'] as const) {
      const t = thresholdsOf(config, priority === 'default' ? 'DEFAULT' : 'HIGH');
      out.push(`${n}::${priority}_priority::max_connections::${t.maxConnections}\n`);
      out.push(`${n}::${priority}_priority::max_pending_requests::${t.maxPendingRequests}\n`);
      out.push(`${n}::${priority}_priority::max_requests::${t.maxRequests}\n`);
      out.push(`${n}::${priority}_priority::max_retries::${t.maxRetries}\n`);
    }
    out.push(`${n}::added_via_api::false\n`);
    for (const h of hosts) {
      const p = `${n}::${hostPort(h.address, h.port)}::`;
      const names = [...HOST_COUNTERS, ...HOST_GAUGES].sort();
      for (const stat of names) out.push(`${p}${stat}::${h.stats[stat as keyof HostStats]}\n`);
      out.push(`${p}hostname::${hostname(h)}\n`);
      out.push(`${p}health_flags::${healthFlags(h)}\n`);
      out.push(`${p}weight::${h.weight}\n`);
      out.push(`${p}region::\n${p}zone::\n${p}sub_zone::\n`);
      out.push(`${p}canary::false\n${p}priority::0\n`);
      // No outlier detection: Envoy prints a success rate of -1 (as "-1.0", per real output).
      out.push(`${p}success_rate::-1.0\n${p}local_origin_success_rate::-1.0\n`);
    }
  }
  return out.join('');
}

function simpleMetric(name: string, value: number, gauge: boolean): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (gauge) m['type'] = 'GAUGE'; // COUNTER is the enum's zero value, so it is omitted
  if (value !== 0) m['value'] = String(value);
  m['name'] = name;
  return m;
}

function hostStatusJson(h: Host): Record<string, unknown> {
  const health: Record<string, unknown> = {};
  if (h.failedActiveHealthCheck) health['failed_active_health_check'] = true;
  if (h.failedOutlierCheck) health['failed_outlier_check'] = true;
  health['eds_health_status'] = 'HEALTHY';
  if (h.pendingDynamicRemoval) health['pending_dynamic_removal'] = true;
  const status: Record<string, unknown> = {
    address: socketAddressJson(h.address, h.port),
    stats: [
      ...HOST_COUNTERS.map((s) => simpleMetric(s, h.stats[s], false)),
      ...HOST_GAUGES.map((s) => simpleMetric(s, h.stats[s], true)),
    ],
    health_status: health,
  };
  if (h.weight !== 0) status['weight'] = h.weight;
  const name = hostname(h);
  if (name !== '') status['hostname'] = name;
  // Envoy always sets the locality message, so an empty one is printed.
  status['locality'] = {};
  return status;
}

function thresholdJson(priority: 'DEFAULT' | 'HIGH', t: Thresholds): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (priority !== 'DEFAULT') out['priority'] = priority;
  out['max_connections'] = t.maxConnections;
  out['max_pending_requests'] = t.maxPendingRequests;
  out['max_requests'] = t.maxRequests;
  out['max_retries'] = t.maxRetries;
  return out;
}

/** `envoy.admin.v3.Clusters` as a plain object, before printing. */
export function clustersJson(clusters: Iterable<ClusterView>): Record<string, unknown> {
  const statuses: Record<string, unknown>[] = [];
  for (const { config, hosts } of clusters) {
    // added_via_api is false for static clusters, and proto3 JSON omits false.
    const s: Record<string, unknown> = { name: config.name };
    if (hosts.length > 0) s['host_statuses'] = hosts.map(hostStatusJson);
    s['circuit_breakers'] = {
      thresholds: [
        thresholdJson('DEFAULT', thresholdsOf(config, 'DEFAULT')),
        thresholdJson('HIGH', thresholdsOf(config, 'HIGH')),
      ],
    };
    s['observability_name'] = config.name;
    statuses.push(s);
  }
  return statuses.length > 0 ? { cluster_statuses: statuses } : {};
}

export function renderClustersJson(clusters: Iterable<ClusterView>): string {
  return prettyJson(clustersJson(clusters));
}
