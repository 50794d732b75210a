import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { FakeTrafficSource, traffic } from './fake-traffic-source.ts';
import { edgeOf, nodeOf, shape } from './graph-lookup.ts';
import { istioBookinfo, istioKey } from './meshes.ts';

const w = (name: string) => `workload:bookinfo:${name}`;

describe('buildGraph from Istio telemetry (istio-proxy sidecars)', () => {
  const { inventory, sidecars } = istioBookinfo();
  const graph = GraphSchema.parse(
    buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'workload' }),
  );

  it('draws the mesh from source reports, destination reports for callers without a sidecar', () => {
    expect(shape(graph)).toEqual(
      [
        'inbound:bookinfo:productpage-v1 -> workload:bookinfo:productpage-v1',
        'workload:istio-system:istio-ingressgateway -> workload:bookinfo:productpage-v1',
        'workload:bookinfo:productpage-v1 -> service:bookinfo:reviews',
        'workload:bookinfo:productpage-v1 -> workload:bookinfo:details-v1',
        'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v1',
        'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v2',
        'workload:bookinfo:productpage-v1 -> workload:bookinfo:reviews-v3',
        'workload:bookinfo:reviews-v2 -> workload:bookinfo:ratings-v1',
        'workload:bookinfo:reviews-v3 -> workload:bookinfo:ratings-v1',
      ].sort(),
    );
  });

  it('counts each request once: never both reporters, never Envoy cluster stats beside Istio’s', () => {
    expect(edgeOf(graph, w('productpage-v1'), w('reviews-v2')).traffic.rps).toBe(3);
    expect(edgeOf(graph, w('productpage-v1'), w('reviews-v3')).traffic.rps).toBe(2);
    expect(edgeOf(graph, w('productpage-v1'), w('details-v1')).traffic.rps).toBe(10);
    expect(edgeOf(graph, w('reviews-v2'), w('ratings-v1')).traffic.rps).toBe(3);
    expect(nodeOf(graph, w('ratings-v1')).inbound.rps).toBe(5);
    expect(nodeOf(graph, w('productpage-v1')).outbound.rps).toBe(10 + 3 + 3 + 2 + 1);
    expect(edgeOf(graph, w('productpage-v1'), w('details-v1')).clusters).toEqual([
      'details.bookinfo.svc.cluster.local',
    ]);
  });

  it('keeps a 503 that reached no workload on the Service, with its cause', () => {
    const uh = edgeOf(graph, w('productpage-v1'), 'service:bookinfo:reviews');
    expect(uh.traffic.causes503.noHealthyUpstream).toBe(1);
    expect(uh.health).toBe('failing');
  });

  it('shows callers without a sidecar from the destination’s reports', () => {
    const gw = edgeOf(graph, 'workload:istio-system:istio-ingressgateway', w('productpage-v1'));
    expect(gw.traffic.rps).toBe(10);
    expect(nodeOf(graph, 'workload:istio-system:istio-ingressgateway')).toMatchObject({
      hasSidecar: false,
      app: 'istio-ingressgateway',
    });
    // source_workload="unknown" (Prometheus scraping the sidecar): the inbound node, with the UF cause.
    const unknown = edgeOf(graph, 'inbound:bookinfo:productpage-v1', w('productpage-v1'));
    expect(unknown.traffic.rps).toBe(0.5);
    expect(unknown.traffic.causes503.connectFailure).toBe(0.1);
    // The listener's 10.5 rps are accounted for by those reports: no second inbound edge or sum.
    expect(nodeOf(graph, w('productpage-v1')).inbound.rps).toBe(10.5);
  });

  it('uses a destination report when the caller is a workload known to have no sidecar', () => {
    const { inventory, sidecars } = istioBookinfo();
    inventory.workloads.push({
      namespace: 'bookinfo',
      name: 'loadgen',
      app: 'loadgen',
      version: undefined,
      addresses: ['10.1.0.99'],
      pods: ['loadgen-0'],
      hasSidecar: false,
    });
    sidecars['bookinfo/details-v1-abc']!.istio!.push({
      key: istioKey(
        'destination',
        ['bookinfo', 'loadgen'],
        ['bookinfo', 'details-v1', 'details', 'v1', 'details.bookinfo.svc.cluster.local'],
      ),
      traffic: traffic(4),
    });
    // A destination report from productpage (which has a sidecar) would double its source report.
    sidecars['bookinfo/details-v1-abc']!.istio!.push({
      key: istioKey(
        'destination',
        ['bookinfo', 'productpage-v1'],
        ['bookinfo', 'details-v1', 'details', 'v1', ''],
      ),
      traffic: traffic(10),
    });
    const g = buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'workload' });
    expect(edgeOf(g, w('loadgen'), w('details-v1')).traffic.rps).toBe(4);
    expect(nodeOf(g, w('loadgen')).hasSidecar).toBe(false);
    expect(edgeOf(g, w('productpage-v1'), w('details-v1')).traffic.rps).toBe(10);
    expect(nodeOf(g, w('details-v1')).inbound.rps).toBe(14);
  });

  it('collapses to apps and Services like the Envoy path', () => {
    const { inventory, sidecars } = istioBookinfo();
    const g = buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'service' });
    expect(edgeOf(g, 'service:bookinfo:productpage', 'service:bookinfo:reviews').traffic.rps).toBe(
      3 + 3 + 2 + 1,
    );
    expect(edgeOf(g, 'service:bookinfo:reviews', 'service:bookinfo:ratings').traffic.rps).toBe(5);
  });
});
