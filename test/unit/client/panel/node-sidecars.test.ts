import { describe, expect, it } from 'vitest';
import { routesFrom, sidecarsOf, workloadsOfNode } from '../../../../client/src/panel/node-sidecars.ts';
import { emptyTraffic, type Graph, type GraphNode } from '../../../../shared/api/graph.ts';
import type { WeightedRoute } from '../../../../shared/api/routes.ts';
import type { SidecarStatus } from '../../../../shared/api/sidecars.ts';

function node(p: Partial<GraphNode> & Pick<GraphNode, 'id' | 'kind' | 'name'>): GraphNode {
  return {
    namespace: 'bookinfo',
    hasSidecar: true,
    health: 'healthy',
    inbound: emptyTraffic(),
    outbound: emptyTraffic(),
    ...p,
  };
}

const wl = (name: string, app: string, version: string | undefined, namespace = 'bookinfo') =>
  node({
    id: `workload:${namespace}:${name}`,
    kind: 'workload',
    name,
    namespace,
    workload: name,
    app,
    ...(version ? { version } : {}),
  });

const workloadGraph: Graph = {
  timestamp: 0,
  windowSeconds: 60,
  graphType: 'workload',
  namespaces: ['bookinfo', 'other'],
  nodes: [
    wl('reviews-v1', 'reviews', 'v1'),
    wl('reviews-v2', 'reviews', 'v2'),
    wl('reviews-v2-canary', 'reviews', 'v2'),
    wl('reviews-v1', 'reviews', 'v1', 'other'),
    wl('productpage-v1', 'productpage', 'v1'),
  ],
  edges: [],
};

const names = (g: GraphNode) => workloadsOfNode(g, workloadGraph).map((w) => `${w.namespace}/${w.workload}`);

describe('workloadsOfNode', () => {
  it('names the workload of a workload node without the workload graph', () => {
    expect(workloadsOfNode(wl('details-v1', 'details', 'v1'), undefined)).toEqual([
      { namespace: 'bookinfo', workload: 'details-v1' },
    ]);
  });

  it('finds the workloads of a version, of an app and of a service in their namespace', () => {
    const v2 = node({
      id: 'versionedApp:bookinfo:reviews:v2',
      kind: 'versionedApp',
      name: 'reviews',
      app: 'reviews',
      version: 'v2',
    });
    expect(names(v2)).toEqual(['bookinfo/reviews-v2', 'bookinfo/reviews-v2-canary']);
    const app = node({ id: 'app:bookinfo:reviews', kind: 'app', name: 'reviews', app: 'reviews' });
    expect(names(app)).toEqual(['bookinfo/reviews-v1', 'bookinfo/reviews-v2', 'bookinfo/reviews-v2-canary']);
    const svc = node({
      id: 'service:bookinfo:reviews',
      kind: 'service',
      name: 'reviews',
      service: 'reviews',
      app: 'reviews',
    });
    expect(names(svc)).toHaveLength(3);
  });

  it('finds none for unknown and inbound nodes, a selector-less service, or before the workload graph arrives', () => {
    expect(names(node({ id: 'unknown:bookinfo:x', kind: 'unknown', name: 'x' }))).toEqual([]);
    expect(
      names(
        node({ id: 'inbound:bookinfo:reviews:v1', kind: 'inbound', name: 'reviews', workload: 'reviews-v1' }),
      ),
    ).toEqual([]);
    expect(names(node({ id: 'service:bookinfo:db', kind: 'service', name: 'db' }))).toEqual([]);
    const app = node({ id: 'app:bookinfo:reviews', kind: 'app', name: 'reviews', app: 'reviews' });
    expect(workloadsOfNode(app, undefined)).toEqual([]);
  });
});

describe('sidecarsOf and routesFrom', () => {
  const refs = [{ namespace: 'bookinfo', workload: 'reviews-v2' }];
  it('matches sidecars and route sources by namespace and workload', () => {
    const sidecar = (id: string, namespace: string, workload: string) =>
      ({ id, namespace, workload }) as SidecarStatus;
    const sidecars = [
      sidecar('bookinfo/reviews-v2/0', 'bookinfo', 'reviews-v2'),
      sidecar('bookinfo/reviews-v2/1', 'bookinfo', 'reviews-v2'),
      sidecar('other/reviews-v2/0', 'other', 'reviews-v2'),
      sidecar('bookinfo/reviews-v1/0', 'bookinfo', 'reviews-v1'),
    ];
    expect(sidecarsOf(refs, sidecars).map((s) => s.id)).toEqual([
      'bookinfo/reviews-v2/0',
      'bookinfo/reviews-v2/1',
    ]);
    const route = (id: string, namespace: string, workload: string) =>
      ({ id, source: { namespace, workload } }) as WeightedRoute;
    expect(
      routesFrom(refs, [route('a', 'bookinfo', 'reviews-v2'), route('b', 'bookinfo', 'productpage-v1')]).map(
        (r) => r.id,
      ),
    ).toEqual(['a']);
  });
});
