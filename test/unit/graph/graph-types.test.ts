import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { FakeTrafficSource } from './fake-traffic-source.ts';
import { edgeOf, nodeOf, shape } from './graph-lookup.ts';
import { bookinfo, seedLab } from './meshes.ts';

const { inventory, sidecars } = bookinfo();
const source = new FakeTrafficSource(sidecars);
const build = (graphType: 'workload' | 'app' | 'versionedApp' | 'service') =>
  GraphSchema.parse(buildGraph(inventory, source, { graphType }));

describe('graph types on bookinfo', () => {
  it('lists nodes and edges sorted by id, in every graph type', () => {
    for (const graphType of ['workload', 'app', 'versionedApp', 'service'] as const) {
      const g = build(graphType);
      const sorted = (ids: string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(g.nodes.map((n) => n.id)).toEqual(sorted(g.nodes.map((n) => n.id)));
      expect(g.edges.map((e) => e.id)).toEqual(sorted(g.edges.map((e) => e.id)));
      expect(g.edges.length).toBeGreaterThan(3);
    }
  });

  it('workload: one node per workload', () => {
    expect(shape(build('workload'))).toEqual([
      'inbound:bookinfo:productpage-v1 -> workload:bookinfo:productpage-v1',
      'workload:bookinfo:productpage-v1 -> workload:bookinfo:details-v1',
      'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v1',
      'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v2',
      'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v3',
      'workload:bookinfo:reviews-v2 -> workload:bookinfo:ratings-v1',
      'workload:bookinfo:reviews-v3 -> workload:bookinfo:ratings-v1',
    ]);
  });

  it('app: versions collapse, their edges merge and their figures add up', () => {
    const g = build('app');
    expect(shape(g)).toEqual([
      'app:bookinfo:productpage -> app:bookinfo:details',
      'app:bookinfo:productpage -> app:bookinfo:reviews',
      'app:bookinfo:reviews -> app:bookinfo:ratings',
      'inbound:bookinfo:productpage -> app:bookinfo:productpage',
    ]);
    const reviews = edgeOf(g, 'app:bookinfo:reviews', 'app:bookinfo:ratings');
    expect(reviews.traffic.rps).toBe(6);
    expect(reviews.traffic.status['5xx']).toBe(1);
    // Request-weighted p95 of v2 (2 ms) and v3 (4 ms), 3 rps each.
    expect(reviews.traffic.latencyMs?.p95).toBeCloseTo(3);
    expect(edgeOf(g, 'app:bookinfo:productpage', 'app:bookinfo:reviews').traffic.rps).toBeCloseTo(9);
    expect(nodeOf(g, 'app:bookinfo:reviews')).toMatchObject({
      kind: 'app',
      app: 'reviews',
      hasSidecar: true,
    });
    expect(g.nodes.map((n) => n.id)).toEqual([
      'app:bookinfo:details',
      'app:bookinfo:productpage',
      'app:bookinfo:ratings',
      'app:bookinfo:reviews',
      'inbound:bookinfo:productpage',
    ]);
  });

  it('versionedApp: one node per app version', () => {
    const g = build('versionedApp');
    expect(shape(g)).toContain('versionedApp:bookinfo:reviews:v3 -> versionedApp:bookinfo:ratings:v1');
    expect(shape(g)).toContain('versionedApp:bookinfo:productpage:v1 -> versionedApp:bookinfo:reviews:v1');
    expect(nodeOf(g, 'versionedApp:bookinfo:reviews:v2')).toMatchObject({
      kind: 'versionedApp',
      app: 'reviews',
      version: 'v2',
    });
    expect(g.nodes.filter((n) => n.kind === 'versionedApp')).toHaveLength(6);
  });

  it('service: workloads appear as the Services they are known by, edges between Services', () => {
    const g = build('service');
    expect(shape(g)).toEqual([
      'inbound:bookinfo:productpage -> service:bookinfo:productpage',
      'service:bookinfo:productpage -> service:bookinfo:details',
      'service:bookinfo:productpage -> service:bookinfo:reviews',
      'service:bookinfo:reviews -> service:bookinfo:ratings',
    ]);
    expect(edgeOf(g, 'service:bookinfo:productpage', 'service:bookinfo:reviews').traffic.rps).toBeCloseTo(9);
    expect(nodeOf(g, 'service:bookinfo:reviews')).toMatchObject({
      kind: 'service',
      service: 'reviews',
      app: 'reviews',
    });
  });

  it('service: a caller behind no Service stays an app node; the lab’s Services are the destinations', () => {
    const lab = seedLab();
    const g = buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars), { graphType: 'service' });
    expect(shape(g)).toEqual([
      'app:default:frontend -> service:default:backend-v1',
      'app:default:frontend -> service:default:backend-v2',
      'inbound:default:frontend -> app:default:frontend',
    ]);
    expect(edgeOf(g, 'app:default:frontend', 'service:default:backend-v1').weights[0]?.configured).toBe(0.8);
  });

  it('versionedApp: a workload without a version is its app node; app graph keeps both weights on one edge', () => {
    const lab = seedLab();
    const t = new FakeTrafficSource(lab.sidecars);
    const v = buildGraph(lab.inventory, t, { graphType: 'versionedApp' });
    expect(shape(v)).toContain('app:default:frontend -> versionedApp:default:backend:v1');
    const app = buildGraph(lab.inventory, t, { graphType: 'app' });
    const e = edgeOf(app, 'app:default:frontend', 'app:default:backend');
    expect(e.traffic.rps).toBe(10);
    expect(e.clusters).toEqual(['backend_v1', 'backend_v2']);
    expect(e.weights.map((w) => [w.cluster, w.configured, w.observed])).toEqual([
      ['backend_v1', 0.8, 0.8],
      ['backend_v2', 0.2, 0.2],
    ]);
  });
});
