// The Envoy v3 bootstrap our proxy runs under in the benchmark: the same shape a user's sidecar config
// has (a listener with an http_connection_manager, a weighted 80/20 route over two STATIC clusters, the
// router filter, optionally a file access log, an admin listener), so the benchmark exercises the real
// configuration path rather than a benchmark-only mode.
import { stringify } from 'yaml';

export interface BenchCluster {
  name: string;
  port: number;
  weight: number;
}

export interface BenchBootstrapOptions {
  listenPort: number;
  adminPort: number;
  clusters: readonly BenchCluster[];
  /** Path of the file access log; no access log when undefined. */
  accessLogPath?: string;
  /**
   * The request-path policies on: circuit_breakers thresholds on both clusters and a retry_policy on the
   * route (retry_on 5xx, 2 retries). The origin never fails, so nothing trips and nothing is retried:
   * this measures what the policies cost a healthy request.
   */
  policies?: boolean;
}

const POLICY_THRESHOLDS = {
  thresholds: [
    {
      priority: 'DEFAULT',
      max_connections: 1000,
      max_pending_requests: 1000,
      max_requests: 1000,
      max_retries: 3,
    },
  ],
};

function socketAddress(port: number): { socket_address: { address: string; port_value: number } } {
  return { socket_address: { address: '127.0.0.1', port_value: port } };
}

export function benchBootstrap(options: BenchBootstrapOptions): Record<string, unknown> {
  const accessLog =
    options.accessLogPath === undefined
      ? {}
      : {
          access_log: [
            {
              name: 'envoy.access_loggers.file',
              typed_config: {
                '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
                // No log_format: Envoy's default format, the one a sidecar logs with out of the box.
                path: options.accessLogPath,
              },
            },
          ],
        };
  const httpConnectionManager = {
    '@type':
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'bench_http',
    codec_type: 'AUTO',
    ...accessLog,
    route_config: {
      name: 'bench_route',
      virtual_hosts: [
        {
          name: 'bench',
          domains: ['*'],
          routes: [
            {
              match: { prefix: '/' },
              route: {
                weighted_clusters: {
                  clusters: options.clusters.map((cluster) => ({
                    name: cluster.name,
                    weight: cluster.weight,
                  })),
                },
                ...(options.policies ? { retry_policy: { retry_on: '5xx', num_retries: 2 } } : {}),
              },
            },
          ],
        },
      ],
    },
    http_filters: [
      {
        name: 'envoy.filters.http.router',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
      },
    ],
  };
  return {
    node: { id: 'bench-proxy', cluster: 'bench' },
    admin: { address: socketAddress(options.adminPort) },
    static_resources: {
      listeners: [
        {
          name: 'bench_listener',
          address: socketAddress(options.listenPort),
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: httpConnectionManager,
                },
              ],
            },
          ],
        },
      ],
      clusters: options.clusters.map((cluster) => ({
        name: cluster.name,
        type: 'STATIC',
        connect_timeout: '1s',
        lb_policy: 'ROUND_ROBIN',
        load_assignment: {
          cluster_name: cluster.name,
          endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(cluster.port) } }] }],
        },
        ...(options.policies ? { circuit_breakers: POLICY_THRESHOLDS } : {}),
      })),
    },
  };
}

export function renderBenchBootstrap(options: BenchBootstrapOptions): string {
  return stringify(benchBootstrap(options));
}
