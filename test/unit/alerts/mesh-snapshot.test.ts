// The snapshot the rules read, built from plain inventory, scrapes and traffic: upstreams summed over a
// workload's replicas and tied to their graph edge, each sidecar's clusters with hosts and gauges, routes
// with request counts over the window and the replicas' drift as GET /api/routes serves it.
import { describe, expect, it } from 'vitest';
import { buildMeshSnapshot } from '../../../server/alerts/mesh-snapshot.ts';
import type { Inventory, SidecarTarget } from '../../../server/model/inventory.ts';
import type { SidecarScrape } from '../../../server/model/sidecar-data.ts';
import type { TrafficSource } from '../../../server/model/traffic-source.ts';
import { emptyTraffic, type Graph, type Traffic } from '../../../shared/api/graph.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import { traffic } from './snapshot-data.ts';

const sidecar = (n: number): SidecarTarget => ({
  id: `default/frontend/${n}`,
  namespace: 'default',
  workload: 'frontend',
  pod: undefined,
  kind: 'meshscope-proxy',
  admin: { baseUrl: `http://127.0.0.${n + 1}:9901` },
  statsPath: '/stats/prometheus',
});

const inventory: Inventory = {
  workloads: [
    {
      namespace: 'default',
      name: 'frontend',
      app: 'frontend',
      version: 'v1',
      addresses: ['127.0.0.1'],
      pods: [],
      hasSidecar: true,
    },
    {
      namespace: 'default',
      name: 'backend-v1',
      app: 'backend',
      version: 'v1',
      addresses: ['127.0.1.1'],
      pods: [],
      hasSidecar: false,
    },
  ],
  services: [],
  sidecars: [sidecar(0), sidecar(1)],
};

const host = (address: string, healthy: boolean, flags: string[] = []) => ({
  address,
  port: 8080,
  hostname: undefined,
  healthy,
  flags,
  weight: 1,
});

function scrape(id: string): SidecarScrape {
  return {
    targetId: id,
    at: 1000,
    clusters: new Map([
      [
        'backend_v1',
        {
          upstream_rq_total: 0,
          upstream_rq_xx: [0, 0, 0, 0, 0],
          upstream_rq_503: 0,
          upstream_rq_pending_overflow: 0,
          upstream_cx_overflow: 0,
          upstream_cx_none_healthy: 0,
          upstream_cx_connect_fail: 0,
          rqTime: undefined,
        },
      ],
    ]),
    gauges: new Map([
      [
        'backend_v1',
        {
          openBreakers: ['default.rq_pending_open'],
          ejectionsActive: 1,
          membershipHealthy: 1,
          membershipTotal: 2,
        },
      ],
    ]),
    istio: [],
    hosts: new Map([
      ['backend_v1', [host('127.0.1.1', true), host('127.0.1.2', false, ['failed_outlier_check'])]],
    ]),
    routes: [
      {
        listener: 'l',
        routeConfig: 'rc',
        virtualHost: 'vh',
        routeIndex: 0,
        routeName: undefined,
        match: 'prefix /',
        runtimeKeyPrefix: 'split',
        totalWeight: undefined,
        clusters: [{ name: 'backend_v1', weight: 100 }],
      },
    ],
    runtime: new Map(),
    downstream: undefined,
  };
}

const perReplica: Record<string, Traffic> = {
  'default/frontend/0': traffic({ rps: 4, rate503: 1, uo: 0.5 }),
  'default/frontend/1': traffic({ rps: 6, rate503: 0, uh: 2 }),
};

const source: TrafficSource = {
  windowSeconds: 60,
  updatedAt: 1000,
  latest: (id) => scrape(id),
  clusterTraffic: (id) => perReplica[id],
  istioTraffic: () => [],
  inboundTraffic: () => undefined,
};

const EDGE = 'workload:default:frontend,workload:default:backend-v1';
const graph: Graph = {
  timestamp: 1000,
  windowSeconds: 60,
  graphType: 'workload',
  namespaces: ['default'],
  nodes: [],
  edges: [
    {
      id: EDGE,
      source: 'workload:default:frontend',
      target: 'workload:default:backend-v1',
      protocol: 'http',
      clusters: ['backend_v1'],
      traffic: emptyTraffic(),
      weights: [],
      health: 'healthy',
    },
  ],
};

describe('buildMeshSnapshot', () => {
  const routes = [
    {
      id: 'default/frontend/l/rc/vh/0',
      replicas: [
        { sidecarId: 'default/frontend/0', adminUrl: '', drift: true },
        { sidecarId: 'default/frontend/1', adminUrl: '' },
      ],
    },
  ] as unknown as WeightedRoute[];
  const snap = buildMeshSnapshot({ at: 5000, inventory, traffic: source, graph, routes, sidecars: [] });

  it('sums a workload’s replicas per upstream cluster and ties it to its graph edge', () => {
    expect(snap.upstreams).toHaveLength(1);
    const u = snap.upstreams[0]!;
    expect(u).toMatchObject({
      key: 'default/frontend/backend_v1',
      namespace: 'default',
      workload: 'frontend',
      cluster: 'backend_v1',
      edge: EDGE,
    });
    expect(u.traffic.rps).toBe(10);
    expect(u.traffic.rate503).toBe(1);
    expect(u.traffic.causes503.noHealthyUpstream).toBe(2);
  });

  it('keeps each sidecar’s clusters with host health, gauges and overflow rate', () => {
    expect(snap.clusters.map((c) => [c.sidecarId, c.hosts, c.overflowRate, c.edge])).toEqual([
      ['default/frontend/0', { total: 2, healthy: 1, ejected: 1 }, 0.5, EDGE],
      ['default/frontend/1', { total: 2, healthy: 1, ejected: 1 }, 0, EDGE],
    ]);
    expect(snap.clusters[0]!.gauges?.openBreakers).toEqual(['default.rq_pending_open']);
  });

  it('counts a route’s requests over the window and takes the replicas’ drift as served', () => {
    expect(snap.routes).toHaveLength(1);
    const r = snap.routes[0]!;
    expect(r.id).toBe('default/frontend/l/rc/vh/0');
    expect(r.requests).toBe(600);
    expect(r.clusters).toEqual([{ name: 'backend_v1', configuredShare: 1, requests: 600, edge: EDGE }]);
    expect(r.replicas).toEqual([
      { sidecarId: 'default/frontend/0', drift: true },
      { sidecarId: 'default/frontend/1', drift: undefined },
    ]);
  });
});
