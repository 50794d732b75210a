// A hand-built AdminContext for tests of the admin layer: a lab-shaped bootstrap (one listener with an
// 80/20 weighted route, two clusters), a few stats, hosts, and a tiny layered runtime.
import type { AdminContext, RuntimeDump, ServerState } from '../../proxy/admin/context.ts';
import type { Bootstrap, Cluster, Listener } from '../../proxy/config/model.ts';
import { StatsStore } from '../../proxy/stats/store.ts';
import { Host } from '../../proxy/upstream/host.ts';

const RAW_ROUTE_CONFIG = {
  name: 'local_route',
  virtual_hosts: [
    {
      name: 'backend',
      domains: ['*'],
      routes: [
        {
          match: { prefix: '/' },
          route: {
            weighted_clusters: {
              clusters: [
                { name: 'backend_v1', weight: 80 },
                { name: 'backend_v2', weight: 20 },
              ],
              runtime_key_prefix: 'routing.traffic_split.backend',
            },
          },
        },
      ],
    },
  ],
};

const RAW: Record<string, unknown> = {
  node: { id: 'sidecar-1', cluster: 'frontend' },
  admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
  static_resources: {
    listeners: [
      {
        name: 'listener_0',
        address: { socket_address: { address: '0.0.0.0', port_value: 10000 } },
        filter_chains: [
          {
            filters: [
              {
                name: 'envoy.filters.network.http_connection_manager',
                typed_config: {
                  '@type':
                    'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                  stat_prefix: 'ingress_http',
                  route_config: RAW_ROUTE_CONFIG,
                  http_filters: [
                    {
                      name: 'envoy.filters.http.router',
                      typed_config: {
                        '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                      },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
    clusters: [
      {
        name: 'backend_v1',
        type: 'STATIC',
        connect_timeout: '0.25s',
        load_assignment: {
          cluster_name: 'backend_v1',
          endpoints: [
            {
              lb_endpoints: [
                { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: 8081 } } } },
              ],
            },
          ],
        },
      },
      {
        name: 'backend_v2',
        type: 'STRICT_DNS',
        connect_timeout: '0.25s',
        load_assignment: {
          cluster_name: 'backend_v2',
          endpoints: [
            {
              lb_endpoints: [
                {
                  endpoint: {
                    address: { socket_address: { address: 'backend-v2.local', port_value: 8082 } },
                  },
                },
              ],
            },
          ],
        },
      },
    ],
  },
};

function cluster(name: string, type: Cluster['type'], address: string, port: number): Cluster {
  return {
    name,
    type,
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'AUTO',
    endpoints: [{ address, port, weight: 1 }],
  };
}

const LISTENER: Listener = {
  name: 'listener_0',
  address: { address: '0.0.0.0', port: 10000 },
  hcm: {
    statPrefix: 'ingress_http',
    codecType: 'AUTO',
    routeConfig: {
      name: 'local_route',
      virtualHosts: [
        {
          name: 'backend',
          domains: ['*'],
          routes: [
            {
              match: { prefix: '/', caseSensitive: true, headers: [], queryParameters: [] },
              action: {
                kind: 'route',
                weightedClusters: {
                  clusters: [
                    { name: 'backend_v1', weight: 80 },
                    { name: 'backend_v2', weight: 20 },
                  ],
                  runtimeKeyPrefix: 'routing.traffic_split.backend',
                },
                timeoutMs: 15000,
              },
            },
          ],
        },
      ],
    },
    httpFilters: [{ name: 'envoy.filters.http.router' }],
    accessLogs: [],
    serverName: 'envoy',
  },
};

export function fakeBootstrap(): Bootstrap {
  return {
    node: { id: 'sidecar-1', cluster: 'frontend' },
    admin: { address: { address: '127.0.0.1', port: 9901 } },
    listeners: [LISTENER],
    clusters: [
      cluster('backend_v1', 'STATIC', '127.0.0.1', 8081),
      cluster('backend_v2', 'STRICT_DNS', 'backend-v2.local', 8082),
    ],
    layeredRuntime: [
      { kind: 'static', name: 'static_layer_0', values: { 'routing.traffic_split.backend.backend_v1': 80 } },
      { kind: 'admin', name: 'admin' },
    ],
    raw: RAW,
  };
}

/** A two-layer runtime (static, admin) whose admin layer takes integer values only, all or nothing. */
export class FakeRuntime {
  readonly staticLayer: Record<string, string> = {
    'routing.traffic_split.backend.backend_v1': '80',
    'routing.traffic_split.backend.backend_v2': '20',
  };
  readonly adminLayer: Record<string, string> = {};

  dump(): RuntimeDump {
    const keys = new Set([...Object.keys(this.staticLayer), ...Object.keys(this.adminLayer)]);
    const entries: RuntimeDump['entries'] = {};
    for (const k of keys) {
      const values = [this.staticLayer[k] ?? '', this.adminLayer[k] ?? ''];
      entries[k] = { final_value: values.findLast((v) => v !== '') ?? '', layer_values: values };
    }
    return { layers: ['static_layer_0', 'admin'], entries };
  }

  modify(updates: Record<string, string>): void {
    for (const [k, v] of Object.entries(updates)) {
      if (v !== '' && !/^\d+$/.test(v))
        throw new Error(`runtime value for ${k} must be an integer, got "${v}"`);
    }
    for (const [k, v] of Object.entries(updates)) {
      if (v === '') delete this.adminLayer[k];
      else this.adminLayer[k] = v;
    }
  }
}

export interface FakeAdmin {
  ctx: AdminContext;
  runtime: FakeRuntime;
  hosts: { v1: Host; v2: Host };
  quits: number;
  setState(s: ServerState): void;
}

export function fakeAdminContext(): FakeAdmin {
  const stats = new StatsStore();
  stats.counter('cluster.backend_v1.upstream_rq_total').inc(8);
  stats.counter('cluster.backend_v1.upstream_rq_200').inc(7);
  stats.counter('cluster.backend_v1.upstream_rq_503').inc(1);
  stats.counter('cluster.backend_v1.upstream_rq_2xx').inc(7);
  stats.counter('cluster.backend_v1.upstream_rq_5xx').inc(1);
  stats.counter('cluster.backend_v2.upstream_rq_total').inc(2);
  stats.counter('cluster.backend_v2.upstream_rq_200').inc(2);
  stats.counter('cluster.backend_v2.upstream_cx_connect_fail');
  stats.counter('http.ingress_http.downstream_rq_total').inc(10);
  stats.gauge('cluster.backend_v1.upstream_cx_active').set(2);
  stats.gauge('server.live').set(1);
  for (const ms of [3, 7, 12, 40]) stats.histogram('cluster.backend_v1.upstream_rq_time').record(ms);
  stats.histogram('cluster.backend_v2.upstream_rq_time');

  const v1 = new Host('127.0.0.1', 8081, '127.0.0.1', 1);
  Object.assign(v1.stats, { cx_total: 3, cx_active: 1, rq_total: 8, rq_success: 7, rq_error: 1 });
  const v2 = new Host('127.0.0.2', 8082, 'backend-v2.local', 1);
  v2.failedActiveHealthCheck = true;

  const bootstrap = fakeBootstrap();
  const runtime = new FakeRuntime();
  let state: ServerState = 'LIVE';
  const fake: FakeAdmin = {
    runtime,
    hosts: { v1, v2 },
    quits: 0,
    setState: (s) => {
      state = s;
    },
    ctx: {
      stats,
      bootstrap: () => bootstrap,
      clusters: () => [
        { config: bootstrap.clusters[0]!, hosts: [v1] },
        { config: bootstrap.clusters[1]!, hosts: [v2] },
      ],
      runtime,
      server: {
        state: () => state,
        startTime: new Date(Date.now() - 42_000),
        version: 'meshscope/0.1.0/Clean/RELEASE/NodeTLS',
        commandLine: { config_path: '/etc/envoy/envoy.yaml', concurrency: 1 },
        healthcheckFailed: false,
        quit: () => {
          fake.quits++;
        },
        reloadedAt: () => new Date('2024-05-01T10:00:00.123Z'),
      },
    },
  };
  return fake;
}
