// The Envoy v3 bootstrap of one demo sidecar, as a plain object (written as YAML). Shaped like the seed
// lab's envoy.yaml (http_connection_manager + router, clusters with load_assignment, an admin block)
// with what a mesh sidecar adds: an inbound listener in front of the local app and a layered runtime
// whose weights can be shifted live (`weighted_clusters.runtime_key_prefix`, Envoy's "runtime" docs),
// plus the traffic policies the topology gives: cluster and route fields, a shadow cluster per mirror,
// and a fault filter on the inbound listener.
import { type DemoRoute, type DemoWorkload, serviceDnsName, workloadNamed } from './demo-topology.ts';

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';
const STDOUT_LOG_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';

/** Subdirectory of the disk layer's symlink root that holds the values (Envoy's `disk_layer.subdirectory`). */
export const RUNTIME_SUBDIRECTORY = 'envoy';

export interface SidecarPaths {
  /** `disk_layer.symlink_root` of this sidecar (a symlink the demo or the dashboard swaps). */
  runtimeRoot: string;
}

/** Istio's name for the cluster behind the inbound listener, so a graph builder can tell it from callees. */
export function inboundClusterName(w: DemoWorkload): string {
  return `inbound|${w.appPort}||`;
}

/** The runtime keys a caller's weighted routes read, with the configured weights. */
export function runtimeWeights(w: DemoWorkload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of w.outbound?.routes ?? []) {
    if (r.runtimeKeyPrefix === undefined) continue;
    for (const c of r.clusters) out[`${r.runtimeKeyPrefix}.${c.name}`] = String(c.weight);
  }
  return out;
}

/** The same values as a nested map: Envoy joins a `static_layer` Struct's nested keys with dots. */
function nested(values: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = Number(value);
  }
  return root;
}

function socketAddress(address: string, port: number) {
  return { socket_address: { address, port_value: port } };
}

function hcmListener(
  name: string,
  ip: string,
  port: number,
  hcm: Record<string, unknown>,
  fault?: Record<string, unknown>,
) {
  // The fault filter goes before the router, as Envoy requires of decoder filters that act on the route.
  const faultFilter =
    fault === undefined
      ? []
      : [{ name: 'envoy.filters.http.fault', typed_config: { '@type': FAULT_TYPE, ...fault } }];
  return {
    name,
    address: socketAddress(ip, port),
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              ...hcm,
              http_filters: [
                ...faultFilter,
                { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } },
              ],
            },
          },
        ],
      },
    ],
  };
}

function cluster(
  name: string,
  type: 'STATIC' | 'STRICT_DNS',
  connectTimeout: string,
  address: string,
  port: number,
  policies: Record<string, unknown> = {},
) {
  return {
    name,
    connect_timeout: connectTimeout,
    type,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }],
    },
    ...policies,
  };
}

function routeAction(r: DemoRoute) {
  const only = r.clusters.length === 1 ? r.clusters[0] : undefined;
  const target = only
    ? { cluster: only.name }
    : {
        weighted_clusters: {
          ...(r.runtimeKeyPrefix !== undefined ? { runtime_key_prefix: r.runtimeKeyPrefix } : {}),
          clusters: r.clusters.map((c) => ({ name: c.name, weight: c.weight })),
        },
      };
  const mirror = r.mirror;
  return {
    ...target,
    ...r.policies,
    ...(mirror && {
      request_mirror_policies: [
        {
          cluster: mirror.cluster,
          runtime_fraction: { default_value: { numerator: mirror.percent, denominator: 'HUNDRED' } },
        },
      ],
    }),
  };
}

/** Host names an app may dial a Service by, with and without the port (as Istio's virtual hosts list them). */
function serviceDomains(r: DemoRoute): string[] {
  const names = [r.service, `${r.service}.${r.namespace}`, serviceDnsName(r.namespace, r.service)];
  return names.flatMap((n) => [n, `${n}:${r.servicePort}`]);
}

/** The bootstrap of `w`'s sidecar. Endpoints of callee clusters are the callees' inbound listeners. */
export function sidecarBootstrap(
  w: DemoWorkload,
  mesh: readonly DemoWorkload[],
  paths: SidecarPaths,
): Record<string, unknown> {
  const inbound = hcmListener(
    'virtualInbound',
    w.ip,
    w.inboundPort,
    {
      stat_prefix: `inbound_${w.appPort}`,
      route_config: {
        name: 'inbound',
        virtual_hosts: [
          {
            name: 'inbound',
            domains: ['*'],
            routes: [{ match: { prefix: '/' }, route: { cluster: inboundClusterName(w) } }],
          },
        ],
      },
    },
    w.inboundFault,
  );
  const listeners: unknown[] = [inbound];
  const clusters: unknown[] = [cluster(inboundClusterName(w), 'STATIC', '1s', w.ip, w.appPort)];

  const out = w.outbound;
  if (out) {
    const lab = out.listener === 'listener_0';
    listeners.push(
      hcmListener(out.listener, w.ip, out.port, {
        stat_prefix: out.statPrefix,
        // The lab logs every request to stdout; the demo sends the sidecar's stdout to its log file.
        ...(lab
          ? {
              access_log: [
                { name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT_LOG_TYPE } },
              ],
            }
          : {}),
        route_config: {
          name: lab ? 'local_route' : 'outbound',
          virtual_hosts: out.routes.map((r) => ({
            name: lab ? r.service : `${serviceDnsName(r.namespace, r.service)}:${r.servicePort}`,
            // The lab's single virtual host takes any Host, as its app dials localhost:10000.
            domains: lab ? ['*'] : serviceDomains(r),
            routes: [{ match: { prefix: '/' }, route: routeAction(r) }],
          })),
        },
      }),
    );
    for (const r of out.routes) {
      const shadow = r.mirror && { name: r.mirror.cluster, workload: r.mirror.workload, policies: {} };
      for (const c of shadow ? [...r.clusters, shadow] : r.clusters) {
        const callee = workloadNamed(mesh, c.workload);
        // STRICT_DNS dials the callee by its per-version Service name, as the lab's clusters do.
        const address =
          out.discovery === 'STRICT_DNS' ? serviceDnsName(callee.namespace, callee.name) : callee.ip;
        clusters.push(
          cluster(c.name, out.discovery, out.connectTimeout, address, callee.inboundPort, c.policies),
        );
      }
    }
  }

  return {
    node: { id: `${w.name}.${w.namespace}`, cluster: w.app },
    admin: { address: socketAddress(w.ip, w.adminPort) },
    static_resources: { listeners, clusters },
    layered_runtime: {
      // Searched last to first: admin overrides (POST /runtime_modify) win over the disk layer (what a
      // dashboard persists), which wins over the configured weights.
      layers: [
        { name: 'static_layer_0', static_layer: nested(runtimeWeights(w)) },
        {
          name: 'disk_layer_0',
          disk_layer: { symlink_root: paths.runtimeRoot, subdirectory: RUNTIME_SUBDIRECTORY },
        },
        { name: 'admin_layer_0', admin_layer: {} },
      ],
    },
  };
}
