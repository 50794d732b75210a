import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { FakeTrafficSource, host, traffic } from './fake-traffic-source.ts';
import { edgeOf, nodeOf, shape } from './graph-lookup.ts';
import { bookinfo, seedLab, service, sidecar, workload } from './meshes.ts';

describe('buildGraph on the seed lab (frontend sidecar → backend v1 80 / v2 20)', () => {
  const { inventory, sidecars } = seedLab();
  const source = new FakeTrafficSource(sidecars, { windowSeconds: 60, updatedAt: 1234 });
  const graph = buildGraph(inventory, source, { graphType: 'workload' });

  it('is a valid wire graph stamped with the source window and time', () => {
    expect(() => GraphSchema.parse(graph)).not.toThrow();
    expect(graph.timestamp).toBe(1234);
    expect(graph.windowSeconds).toBe(60);
    expect(graph.namespaces).toEqual(['default']);
  });

  it('maps STRICT_DNS hosts to the backend workloads by pod IP, and the load generator to an inbound node', () => {
    expect(shape(graph)).toEqual([
      'inbound:default:frontend -> workload:default:frontend',
      'workload:default:frontend -> workload:default:backend-v1',
      'workload:default:frontend -> workload:default:backend-v2',
    ]);
    const v1 = edgeOf(graph, 'workload:default:frontend', 'workload:default:backend-v1');
    expect(v1.traffic.rps).toBe(8);
    expect(v1.clusters).toEqual(['backend_v1']);
    expect(v1.traffic.latencyMs).toEqual({ p50: 2, p95: 8, p99: 12 });
    expect(nodeOf(graph, 'workload:default:backend-v1')).toMatchObject({
      kind: 'workload',
      app: 'backend',
      version: 'v1',
      hasSidecar: false,
      health: 'healthy',
    });
  });

  it('sums edges into node traffic', () => {
    const frontend = nodeOf(graph, 'workload:default:frontend');
    expect(frontend.outbound.rps).toBe(10);
    expect(frontend.inbound.rps).toBe(10);
    expect(frontend.hasSidecar).toBe(true);
    // Request-weighted quantiles of the two clusters.
    expect(frontend.outbound.latencyMs?.p95).toBeCloseTo((8 * 8 + 2 * 10) / 10);
    expect(nodeOf(graph, 'workload:default:backend-v2').inbound.rps).toBe(2);
    expect(nodeOf(graph, 'inbound:default:frontend')).toMatchObject({ kind: 'inbound', hasSidecar: false });
  });

  it('puts configured beside observed weights on both edges of the route', () => {
    const v1 = edgeOf(graph, 'workload:default:frontend', 'workload:default:backend-v1');
    const v2 = edgeOf(graph, 'workload:default:frontend', 'workload:default:backend-v2');
    const routeId = 'default/frontend/listener_0/local_route/backend/0';
    expect(v1.weights).toEqual([{ routeId, cluster: 'backend_v1', configured: 0.8, observed: 0.8 }]);
    expect(v2.weights).toEqual([{ routeId, cluster: 'backend_v2', configured: 0.2, observed: 0.2 }]);
  });

  it('shows a drift between configured and observed shares', () => {
    const drift = seedLab({ v1: 5, v2: 5 });
    const g = buildGraph(drift.inventory, new FakeTrafficSource(drift.sidecars), { graphType: 'workload' });
    const w = edgeOf(g, 'workload:default:frontend', 'workload:default:backend-v1').weights[0];
    expect(w?.configured).toBe(0.8);
    expect(w?.observed).toBe(0.5);
  });

  it('applies the runtime override `<runtime_key_prefix>.<cluster>` to the configured share', () => {
    const lab = seedLab({ v1: 5, v2: 5 });
    const data = lab.sidecars['default/app-with-envoy']!;
    data.runtime = { 'routing.backend.backend_v1': '50', 'routing.backend.backend_v2': '50' };
    const g = buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars), { graphType: 'workload' });
    expect(edgeOf(g, 'workload:default:frontend', 'workload:default:backend-v1').weights[0]?.configured).toBe(
      0.5,
    );
    // A runtime value that is not an unsigned integer leaves the configured weight in force.
    data.runtime = { 'routing.backend.backend_v1': 'sixty', 'routing.backend.backend_v2': '80' };
    const g2 = buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars), { graphType: 'workload' });
    expect(
      edgeOf(g2, 'workload:default:frontend', 'workload:default:backend-v1').weights[0]?.configured,
    ).toBe(0.5);
  });

  it('keeps an idle edge for a weighted cluster that got no requests, observed 0', () => {
    const lab = seedLab({ v1: 10, v2: 0 });
    const g = buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars), { graphType: 'workload' });
    const v2 = edgeOf(g, 'workload:default:frontend', 'workload:default:backend-v2');
    expect(v2.health).toBe('idle');
    expect(v2.traffic.rps).toBe(0);
    expect(v2.weights[0]).toMatchObject({ configured: 0.2, observed: 0 });
  });

  it('survives a sidecar that was never scraped', () => {
    const lab = seedLab();
    const g = buildGraph(lab.inventory, new FakeTrafficSource({}), { graphType: 'workload' });
    expect(g.edges).toEqual([]);
    expect(nodeOf(g, 'workload:default:frontend')).toMatchObject({ health: 'idle', hasSidecar: true });
  });

  it('draws no edges from an idle sidecar, but keeps every known workload as an idle node', () => {
    const lab = seedLab({ v1: 0, v2: 0 });
    lab.sidecars['default/app-with-envoy']!.inbound = traffic(0);
    const g = buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars), { graphType: 'workload' });
    expect(g.edges).toEqual([]);
    expect(g.nodes.map((n) => [n.id, n.health])).toEqual([
      ['workload:default:backend-v1', 'idle'],
      ['workload:default:backend-v2', 'idle'],
      ['workload:default:frontend', 'idle'],
    ]);
  });
});

describe('buildGraph on bookinfo behind plain Envoy sidecars', () => {
  const { inventory, sidecars } = bookinfo();
  const graph = buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'workload' });
  const w = (name: string) => `workload:bookinfo:${name}`;

  it('splits one cluster over the workloads of its hosts by host weight', () => {
    for (const v of ['v1', 'v2', 'v3']) {
      const e = edgeOf(graph, w('productpage-v1'), w(`reviews-${v}`));
      expect(e.traffic.rps).toBeCloseTo(3);
      expect(e.clusters).toEqual(['reviews']);
      // Shares of one cluster keep its latency.
      expect(e.traffic.latencyMs).toEqual({ p50: 20, p95: 40, p99: 80 });
    }
  });

  it('gives health from each edge’s own errors, and nodes the worse of in and out', () => {
    expect(edgeOf(graph, w('reviews-v2'), w('ratings-v1')).health).toBe('healthy');
    const v3 = edgeOf(graph, w('reviews-v3'), w('ratings-v1'));
    expect(v3.traffic.status['5xx']).toBe(1);
    expect(v3.traffic.causes503.upstream).toBe(1);
    expect(v3.health).toBe('failing');
    expect(nodeOf(graph, w('reviews-v3')).health).toBe('failing');
    expect(nodeOf(graph, w('ratings-v1')).inbound.rps).toBe(6);
    // 1 of 6 requests: 16.7 % ≥ 10 %.
    expect(nodeOf(graph, w('ratings-v1')).health).toBe('failing');
    expect(nodeOf(graph, w('reviews-v1')).health).toBe('healthy');
  });

  it('adds an inbound node only where no known caller accounts for the listener traffic', () => {
    const inbound = graph.nodes.filter((n) => n.kind === 'inbound').map((n) => n.id);
    expect(inbound).toEqual(['inbound:bookinfo:productpage-v1']);
    expect(edgeOf(graph, 'inbound:bookinfo:productpage-v1', w('productpage-v1')).traffic.rps).toBe(10);
  });

  it('attributes nothing to a weightless idle cluster (reviews-v1 has a ratings cluster but sends nothing)', () => {
    expect(graph.edges.some((e) => e.source === w('reviews-v1'))).toBe(false);
  });
});

describe('buildGraph with destinations it cannot map', () => {
  const inventory = {
    workloads: [workload('shop', 'cart', 'cart', 'v1', ['10.2.0.5'], true)],
    services: [service('shop', 'payments', [], { app: 'payments' }, ['10.96.7.7'])],
    sidecars: [sidecar('shop/cart-1', 'shop', 'cart'), sidecar('shop/cart-2', 'shop', 'cart')],
  };
  const clusters = {
    external_api: traffic(4),
    legacy: traffic(1),
    payments: traffic(2),
    local_app: traffic(7),
    catalog: traffic(3),
  };
  const hosts = {
    external_api: [host('93.184.216.34', 443, { hostname: 'api.example.com' })],
    payments: [host('10.96.7.7', 8080)],
    local_app: [host('127.0.0.1', 8080)],
    catalog: [host('10.2.9.9', 80, { hostname: 'catalog.shop.svc.cluster.local' })],
  };
  const source = new FakeTrafficSource({
    'shop/cart-1': { clusters, hosts },
    'shop/cart-2': { clusters, hosts },
  });
  const graph = buildGraph(inventory, source, { graphType: 'workload' });

  it('sends an unmapped host, or a cluster without hosts, to an unknown node named after the cluster', () => {
    const ext = edgeOf(graph, 'workload:shop:cart', 'unknown:shop:external_api');
    expect(ext.traffic.rps).toBe(8); // both replicas
    expect(nodeOf(graph, 'unknown:shop:external_api')).toMatchObject({
      kind: 'unknown',
      name: 'external_api',
    });
    expect(edgeOf(graph, 'workload:shop:cart', 'unknown:shop:legacy').traffic.rps).toBe(2);
  });

  it('sends a ClusterIP or a Service DNS name without known endpoints to the Service node', () => {
    expect(edgeOf(graph, 'workload:shop:cart', 'service:shop:payments').traffic.rps).toBe(4);
    // Not in the inventory at all: the DNS name alone says which Service it is.
    expect(nodeOf(graph, 'service:shop:catalog')).toMatchObject({ kind: 'service', service: 'catalog' });
    expect(edgeOf(graph, 'workload:shop:cart', 'service:shop:catalog').traffic.rps).toBe(6);
  });

  it('treats a loopback host no workload claims as the sidecar’s own app (no edge)', () => {
    expect(graph.edges.some((e) => e.clusters.includes('local_app'))).toBe(false);
    expect(nodeOf(graph, 'workload:shop:cart').outbound.rps).toBe(8 + 2 + 4 + 6);
  });
});

describe('buildGraph namespace filter', () => {
  // The seed lab in `default` plus bookinfo, with frontend also calling bookinfo's details.
  const lab = seedLab();
  const bi = bookinfo();
  const inventory = {
    workloads: [...lab.inventory.workloads, ...bi.inventory.workloads],
    services: [...lab.inventory.services, ...bi.inventory.services],
    sidecars: [...lab.inventory.sidecars, ...bi.inventory.sidecars],
  };
  const frontend = lab.sidecars['default/app-with-envoy']!;
  frontend.clusters = { ...frontend.clusters, details: traffic(1) };
  frontend.hosts = { ...frontend.hosts, details: [host('10.1.0.20', 9080)] };
  const source = new FakeTrafficSource({ ...lab.sidecars, ...bi.sidecars });

  it('keeps edges touching a selected namespace and the nodes at both ends', () => {
    const g = buildGraph(inventory, source, { graphType: 'workload', namespaces: ['default'] });
    expect(g.namespaces).toEqual(['default']);
    expect(shape(g)).toEqual([
      'inbound:default:frontend -> workload:default:frontend',
      'workload:default:frontend -> workload:bookinfo:details-v1',
      'workload:default:frontend -> workload:default:backend-v1',
      'workload:default:frontend -> workload:default:backend-v2',
    ]);
    expect(g.nodes.map((n) => n.id).filter((id) => id.includes('bookinfo'))).toEqual([
      'workload:bookinfo:details-v1',
    ]);
    // Figures of a node from another namespace still count all its traffic, not only the kept edges.
    expect(nodeOf(g, 'workload:bookinfo:details-v1').inbound.rps).toBe(11);
  });

  it('shows everything without a filter, or with several namespaces', () => {
    const all = buildGraph(inventory, source, { graphType: 'workload' });
    const both = buildGraph(inventory, source, {
      graphType: 'workload',
      namespaces: ['bookinfo', 'default'],
    });
    expect(all.namespaces).toEqual(['bookinfo', 'default']);
    expect(shape(both)).toEqual(shape(all));
    const bookinfoOnly = buildGraph(inventory, source, { graphType: 'workload', namespaces: ['bookinfo'] });
    expect(shape(bookinfoOnly)).toContain('workload:default:frontend -> workload:bookinfo:details-v1');
    expect(shape(bookinfoOnly)).not.toContain('workload:default:frontend -> workload:default:backend-v1');
  });
});

describe('buildGraph health thresholds', () => {
  const lab = seedLab();
  lab.sidecars['default/app-with-envoy']!.clusters!['backend_v2'] = traffic(2, { '4xx': 0.3 });
  const source = new FakeTrafficSource(lab.sidecars);
  const edgeHealth = (health?: Parameters<typeof buildGraph>[2]['health']) =>
    edgeOf(
      buildGraph(lab.inventory, source, { graphType: 'workload', ...(health ? { health } : {}) }),
      'workload:default:frontend',
      'workload:default:backend-v2',
    ).health;

  it('uses Kiali’s defaults unless told otherwise', () => {
    // 15 % 4xx: degraded at 10 %, failing only at 20 %.
    expect(edgeHealth()).toBe('degraded');
    expect(edgeHealth({ degraded5xx: 0, failing5xx: 0.1, degraded4xx: 0.05, failing4xx: 0.15 })).toBe(
      'failing',
    );
    expect(edgeHealth({ degraded5xx: 0, failing5xx: 0.1, degraded4xx: 0.5, failing4xx: 0.9 })).toBe(
      'healthy',
    );
  });
});
