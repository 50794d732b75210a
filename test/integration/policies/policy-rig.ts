// Shared pieces of the host-policy integration tests (outlier detection, active health checking,
// consistent hashing): a bootstrap with one listener routing to STATIC clusters on 127.0.0.1, GETs that
// report which backend answered, and polling of the admin endpoints.
import http from 'node:http';
import type { ProxyProcess } from '../../support/processes.ts';

type Obj = Record<string, unknown>;

const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

export function staticCluster(name: string, ports: number[], extra: Obj = {}): Obj {
  return {
    name,
    connect_timeout: '0.5s',
    type: 'STATIC',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: ports.map((port) => ({
            endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } },
          })),
        },
      ],
    },
    ...extra,
  };
}

/** A bootstrap whose listener (free port) sends every route to its cluster; admin on a free port. */
export function bootstrap(routes: Obj[], clusters: Obj[]): Obj {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: 'ingress',
          address: { socket_address: { address: '127.0.0.1', port_value: 0 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': HCM_TYPE,
                    stat_prefix: 'ingress_http',
                    http_filters: [
                      {
                        name: 'envoy.filters.http.router',
                        typed_config: {
                          '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
                        },
                      },
                    ],
                    route_config: { name: 'local', virtual_hosts: [{ name: 'all', domains: ['*'], routes }] },
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters,
    },
  };
}

export interface Answer {
  status: number;
  /** The backend's `x-backend` header ('' for a local reply). */
  backend: string;
}

/** One GET on a fresh connection. */
export function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          const b = res.headers['x-backend'];
          resolve({ status: res.statusCode ?? 0, backend: typeof b === 'string' ? b : '' });
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

export async function getMany(
  port: number,
  path: string,
  n: number,
  headers: Record<string, string> = {},
): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) out.push(await get(port, path, headers));
  return out;
}

/** A counter or gauge from /stats (plain text `name: value`). */
export async function stat(proxy: ProxyProcess, name: string): Promise<number | undefined> {
  const { body } = await proxy.admin(
    `/stats?filter=${encodeURIComponent(`^${name.replace(/\./g, '\\.')}$`)}`,
  );
  const m = new RegExp(`^${name.replace(/\./g, '\\.')}: (\\d+)$`, 'm').exec(body);
  return m ? Number(m[1]) : undefined;
}

export interface HostStatusJson {
  address: { socket_address: { address: string; port_value: number } };
  health_status: Record<string, unknown>;
}

/** The host statuses of one cluster in /clusters?format=json. */
export async function hostStatuses(proxy: ProxyProcess, cluster: string): Promise<HostStatusJson[]> {
  const { body } = await proxy.admin('/clusters?format=json');
  const doc = JSON.parse(body) as { cluster_statuses?: { name: string; host_statuses?: HostStatusJson[] }[] };
  return doc.cluster_statuses?.find((c) => c.name === cluster)?.host_statuses ?? [];
}

export async function hostHealth(
  proxy: ProxyProcess,
  cluster: string,
  port: number,
): Promise<Record<string, unknown>> {
  const h = (await hostStatuses(proxy, cluster)).find((s) => s.address.socket_address.port_value === port);
  if (!h) throw new Error(`no host on port ${port} in cluster ${cluster}`);
  return h.health_status;
}

/** Polls `check` every 50 ms until it returns true, failing after `timeoutMs` with `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
