// scrapeSidecar against the real bundled proxy: traffic sent through it shows up per cluster (a dotted
// cluster name included), the weighted route and its runtime override are read back, and failures of
// the stats endpoint and of the structural endpoints are told apart.
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import { AdminRequestError } from '../../../server/sources/envoy/admin-client.ts';
import { scrapeSidecar } from '../../../server/sources/envoy/scrape-sidecar.ts';
import { staticBootstrap } from '../../support/envoy-bootstrap.ts';
import {
  type BackendProcess,
  freePort,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';

let v1: BackendProcess;
let v2: BackendProcess;
let proxy: ProxyProcess;
let deadPort: number;

function target(baseUrl: string, statsPath = '/stats/prometheus'): SidecarTarget {
  return {
    id: 'default/frontend/0',
    namespace: 'default',
    workload: 'frontend',
    pod: undefined,
    kind: 'meshscope-proxy',
    admin: { baseUrl },
    statsPath,
  };
}

/** The part of staticBootstrap()'s output this test edits. */
interface LabDoc {
  static_resources: {
    listeners: {
      filter_chains: {
        filters: {
          typed_config: {
            route_config: {
              virtual_hosts: { routes: { route: { weighted_clusters?: Record<string, unknown> } }[] }[];
            };
          };
        }[];
      }[];
    }[];
  };
}

async function send(path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`http://127.0.0.1:${proxy.listenerPort}${path}`);
    await res.arrayBuffer();
  }
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  deadPort = await freePort();
  const config = staticBootstrap({
    clusters: [
      { name: 'backend_v1', endpoints: [{ port: v1.port }] },
      { name: 'backend.v2', endpoints: [{ port: v2.port }] },
      { name: 'dead', endpoints: [{ port: deadPort }] },
    ],
    listeners: [
      {
        statPrefix: 'inbound_http',
        routes: [
          { prefix: '/dead', cluster: 'dead' },
          {
            prefix: '/',
            weightedClusters: [
              { name: 'backend_v1', weight: 80 },
              { name: 'backend.v2', weight: 20 },
            ],
          },
        ],
      },
    ],
  });
  const route = (config as unknown as LabDoc).static_resources.listeners[0]!.filter_chains[0]!.filters[0]!
    .typed_config.route_config.virtual_hosts[0]!.routes[1]!.route;
  route.weighted_clusters!['runtime_key_prefix'] = 'routing.backend';
  proxy = await startProxy({
    ...config,
    layered_runtime: { layers: [{ name: 'admin', admin_layer: {} }] },
  });
  await send('/', 40);
  await send('/dead', 3);
  const r = await proxy.admin('/runtime_modify?routing.backend.backend_v1=60', 'POST');
  expect(r.status).toBe(200);
});

afterAll(stopAll);

describe('scrapeSidecar on meshscope-proxy', () => {
  it('reads per-cluster counters, hosts, the weighted route, runtime and inbound requests', async () => {
    const s = await scrapeSidecar(target(proxy.adminUrl), { timeoutMs: 5000 });
    expect(s.warnings).toEqual([]);
    expect(s.targetId).toBe('default/frontend/0');
    expect(s.bytes).toBeGreaterThan(1000);

    const c1 = s.clusters.get('backend_v1')!;
    const c2 = s.clusters.get('backend.v2')!;
    expect(c1.upstream_rq_total + c2.upstream_rq_total).toBe(40);
    expect(c1.upstream_rq_xx[1] + c2.upstream_rq_xx[1]).toBe(40);
    expect(c2.upstream_rq_total).toBeGreaterThan(0); // 20% of 40: the dotted name was attributed
    expect(c1.rqTime?.count).toBe(c1.upstream_rq_total);
    expect(c1.rqTime?.le.at(-1)).toBe(Number.POSITIVE_INFINITY);
    expect(s.clusters.get('dead')).toMatchObject({
      upstream_rq_total: 3,
      upstream_rq_xx: [0, 0, 0, 0, 3],
      upstream_rq_503: 3,
      upstream_cx_connect_fail: 3,
    });

    expect(s.hosts.get('backend_v1')).toEqual([
      { address: '127.0.0.1', port: v1.port, hostname: undefined, healthy: true, flags: [], weight: 1 },
    ]);
    expect(s.hosts.get('backend.v2')?.[0]?.port).toBe(v2.port);

    expect(s.routes).toEqual([
      {
        listener: 'listener_0',
        routeConfig: 'listener_0_route',
        virtualHost: 'backend',
        routeIndex: 1,
        routeName: undefined,
        match: 'prefix /',
        runtimeKeyPrefix: 'routing.backend',
        totalWeight: undefined,
        clusters: [
          { name: 'backend_v1', weight: 80 },
          { name: 'backend.v2', weight: 20 },
        ],
      },
    ]);
    expect(s.runtime.get('routing.backend.backend_v1')).toBe('60');
    // The HCM's stat prefix starts with `inbound`: 40 + 3 requests, 3 of them 503s.
    expect(s.downstream).toEqual({ rq_total: 43, rq_xx: [0, 40, 0, 0, 3] });
  });

  it('fails with the target and URL when the stats endpoint is unreachable', async () => {
    const port = await freePort();
    const e = await scrapeSidecar(target(`http://127.0.0.1:${port}`), { timeoutMs: 2000 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AdminRequestError);
    expect((e as Error).message).toMatch(
      new RegExp(
        `^default/frontend/0: GET http://127\\.0\\.0\\.1:${port}/stats/prometheus\\?usedonly&filter=.* failed: connection refused`,
      ),
    );
  });

  describe('a stats-only endpoint (like istio-proxy :15090)', () => {
    let statsOnly: http.Server;
    let url: string;

    beforeAll(async () => {
      statsOnly = http.createServer((req, res) => {
        if (req.url?.startsWith('/stats/prometheus')) {
          res.end(
            '# TYPE istio_requests_total counter\n' +
              'istio_requests_total{reporter="source",source_workload="a",destination_workload="b",response_code="503",response_flags="UO"} 4\n',
          );
        } else res.writeHead(404).end('not found\n');
      });
      await new Promise<void>((r) => statsOnly.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(statsOnly.address() as net.AddressInfo).port}`;
    });

    afterAll(async () => {
      statsOnly.closeAllConnections();
      await new Promise((r) => statsOnly.close(r));
    });

    it('keeps the stats, warns about the other endpoints and keeps the previous structure', async () => {
      const previous = await scrapeSidecar(target(proxy.adminUrl), { timeoutMs: 5000 });
      const s = await scrapeSidecar(target(url), { timeoutMs: 2000, previous });
      expect(s.istio).toHaveLength(1);
      expect(s.istio[0]?.byCodeAndFlags).toEqual({ '503|UO': 4 });
      expect(s.warnings).toHaveLength(3);
      expect(s.warnings[0]).toBe(
        `default/frontend/0: GET ${url}/clusters?format=json failed: HTTP 404: not found`,
      );
      expect(s.hosts).toBe(previous.hosts);
      expect(s.routes).toBe(previous.routes);
      expect(s.runtime).toBe(previous.runtime);
    });
  });
});
