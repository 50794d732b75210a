// Envoy v3 bootstraps for tests, shaped like the users' lab configs (../shared/seeds/envoy-sidecar-lab.md:
// a listener with an http_connection_manager and the router filter, clusters with load_assignment, an
// admin block) but with STATIC clusters on 127.0.0.1. A port of 0 is replaced with a free port by
// startProxy(), since the proxy's port-0 bindings cannot be discovered from outside.

export interface StaticClusterSpec {
  name: string;
  /** Endpoint ports on 127.0.0.1 (or `address`). */
  endpoints: { port: number; address?: string }[];
  connectTimeout?: string;
}

export interface RouteSpec {
  prefix?: string;
  path?: string;
  cluster?: string;
  weightedClusters?: { name: string; weight: number }[];
  /** Envoy duration, e.g. "2s"; "0s" disables the route timeout. */
  timeout?: string;
  prefixRewrite?: string;
}

export interface ListenerSpec {
  name?: string;
  /** 0 (the default) = a free port chosen by startProxy(). */
  port?: number;
  statPrefix?: string;
  domains?: string[];
  /** Default: one route, prefix "/", to the first cluster. */
  routes?: RouteSpec[];
  /** `upgrade_configs[].upgrade_type` values, e.g. ['websocket']. */
  upgradeTypes?: string[];
  /** `server_name` (the `server` header); Envoy's default is "envoy". */
  serverName?: string;
}

export interface BootstrapSpec {
  listeners?: ListenerSpec[];
  clusters: StaticClusterSpec[];
  /** 0 (the default) = a free port chosen by startProxy(). */
  adminPort?: number;
}

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

function socketAddress(port: number, address = '127.0.0.1') {
  return { socket_address: { address, port_value: port } };
}

function routeOf(r: RouteSpec, defaultCluster: string | undefined) {
  const match: Record<string, unknown> =
    r.path !== undefined ? { path: r.path } : { prefix: r.prefix ?? '/' };
  const route: Record<string, unknown> = {};
  if (r.weightedClusters) route['weighted_clusters'] = { clusters: r.weightedClusters };
  else route['cluster'] = r.cluster ?? defaultCluster;
  if (r.timeout !== undefined) route['timeout'] = r.timeout;
  if (r.prefixRewrite !== undefined) route['prefix_rewrite'] = r.prefixRewrite;
  return { match, route };
}

export function listenerConfig(l: ListenerSpec, index: number, defaultCluster: string | undefined) {
  const name = l.name ?? `listener_${index}`;
  const hcm: Record<string, unknown> = {
    '@type': HCM_TYPE,
    stat_prefix: l.statPrefix ?? `ingress_http_${index}`,
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
    route_config: {
      name: `${name}_route`,
      virtual_hosts: [
        {
          name: 'backend',
          domains: l.domains ?? ['*'],
          routes: (l.routes ?? [{ prefix: '/' }]).map((r) => routeOf(r, defaultCluster)),
        },
      ],
    },
  };
  if (l.upgradeTypes) hcm['upgrade_configs'] = l.upgradeTypes.map((t) => ({ upgrade_type: t }));
  if (l.serverName !== undefined) hcm['server_name'] = l.serverName;
  return {
    name,
    address: socketAddress(l.port ?? 0),
    filter_chains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] },
    ],
  };
}

export function staticClusterConfig(c: StaticClusterSpec) {
  return {
    name: c.name,
    connect_timeout: c.connectTimeout ?? '1s',
    type: 'STATIC',
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: c.name,
      endpoints: [
        {
          lb_endpoints: c.endpoints.map((e) => ({ endpoint: { address: socketAddress(e.port, e.address) } })),
        },
      ],
    },
  };
}

/** A complete bootstrap object (serialize with the `yaml` package, or hand it to startProxy()). */
export function staticBootstrap(spec: BootstrapSpec) {
  const defaultCluster = spec.clusters[0]?.name;
  return {
    static_resources: {
      listeners: (spec.listeners ?? [{}]).map((l, i) => listenerConfig(l, i, defaultCluster)),
      clusters: spec.clusters.map(staticClusterConfig),
    },
    admin: { address: socketAddress(spec.adminPort ?? 0) },
  };
}
