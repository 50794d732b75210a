// `/clusters?format=json` (envoy.admin.v3.Clusters) → upstream hosts per cluster, for mapping a
// cluster's endpoints to workloads by IP. Envoy prints proto3 JSON, so either field-name style is
// accepted (the istioctl fixture has `hostStatuses` under a snake_case `cluster_statuses`), omitted
// fields take their proto defaults, and a cluster listed twice (as in the Yelp snapshot) has its hosts
// merged.
import type { UpstreamHost } from '../../model/sidecar-data.ts';
import {
  boolField,
  type JsonObject,
  numberField,
  objectField,
  objectList,
  stringField,
  wrappedNumberField,
} from './proto-json.ts';

/**
 * HostHealthStatus booleans, named as Envoy's text `/clusters` prints them
 * (`HostUtility::healthFlagsToString`), and whether each takes the host out of load balancing.
 */
const HEALTH_FLAGS: readonly { field: string; flag: string; unhealthy: boolean }[] = [
  { field: 'failed_active_health_check', flag: 'failed_active_hc', unhealthy: true },
  { field: 'failed_outlier_check', flag: 'failed_outlier_check', unhealthy: true },
  { field: 'failed_active_degraded_check', flag: 'degraded_active_hc', unhealthy: false },
  { field: 'pending_dynamic_removal', flag: 'pending_dynamic_removal', unhealthy: false },
  { field: 'pending_active_hc', flag: 'pending_active_hc', unhealthy: false },
  { field: 'excluded_via_immediate_hc_fail', flag: 'excluded_via_immediate_hc_fail', unhealthy: true },
  { field: 'active_hc_timeout', flag: 'active_hc_timeout', unhealthy: true },
];

/**
 * `eds_health_status` (config.core.v3.HealthStatus). UNKNOWN (0, so omitted) and HEALTHY count as
 * healthy; DEGRADED hosts still take traffic (Envoy uses them when too few are healthy), so they are
 * flagged but not unhealthy.
 */
const EDS_STATUS: Readonly<Record<string, { flag: string; unhealthy: boolean }>> = {
  UNHEALTHY: { flag: 'failed_eds_health', unhealthy: true },
  TIMEOUT: { flag: 'failed_eds_health', unhealthy: true },
  DRAINING: { flag: 'eds_status_draining', unhealthy: true },
  DEGRADED: { flag: 'degraded_eds_health', unhealthy: false },
};

/** Parsed `/clusters?format=json`: cluster name → its hosts, in the order Envoy listed them. */
export function parseClustersJson(doc: unknown): Map<string, UpstreamHost[]> {
  const out = new Map<string, UpstreamHost[]>();
  for (const cluster of objectList(doc, 'cluster_statuses')) {
    const name = stringField(cluster, 'name');
    if (name === undefined) continue;
    let hosts = out.get(name);
    if (hosts === undefined) {
      hosts = [];
      out.set(name, hosts);
    }
    for (const h of objectList(cluster, 'host_statuses')) hosts.push(hostOf(h));
  }
  return out;
}

function hostOf(h: JsonObject): UpstreamHost {
  const { address, port } = addressOf(objectField(h, 'address'));
  const health = objectField(h, 'health_status');
  const flags: string[] = [];
  let healthy = true;
  for (const f of HEALTH_FLAGS) {
    if (!boolField(health, f.field)) continue;
    flags.push(f.flag);
    if (f.unhealthy) healthy = false;
  }
  const eds = EDS_STATUS[stringField(health, 'eds_health_status') ?? ''];
  if (eds !== undefined) {
    flags.push(eds.flag);
    if (eds.unhealthy) healthy = false;
  }
  return {
    address,
    port,
    hostname: stringField(h, 'hostname') || undefined,
    healthy,
    flags,
    // Every Envoy host has a load-balancing weight of at least 1; older Envoys did not print it.
    weight: wrappedNumberField(h, 'weight') ?? 1,
  };
}

/** socket_address → ip + port; a pipe → its path with port 0; an internal address → its server name. */
function addressOf(addr: JsonObject | undefined): { address: string; port: number } {
  const socket = objectField(addr, 'socket_address');
  if (socket !== undefined) {
    return { address: stringField(socket, 'address') ?? '', port: numberField(socket, 'port_value', 0) };
  }
  const pipe = objectField(addr, 'pipe');
  if (pipe !== undefined) return { address: stringField(pipe, 'path') ?? '', port: 0 };
  const internal = objectField(addr, 'envoy_internal_address');
  return { address: stringField(internal, 'server_listener_name') ?? '', port: 0 };
}
