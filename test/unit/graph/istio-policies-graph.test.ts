import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { type IstioObject, istioPolicies } from '../../../server/sources/kubernetes/istio-policies.ts';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { policyBadges } from '../../../shared/api/policies.ts';
import { FakeTrafficSource } from './fake-traffic-source.ts';
import { edgeOf, nodeOf } from './graph-lookup.ts';
import { istioBookinfo } from './meshes.ts';

const PP = 'workload:bookinfo:productpage-v1';
const RV = (v: string) => `workload:bookinfo:reviews-${v}`;
const RATINGS = 'workload:bookinfo:ratings-v1';

const objects: { vs: IstioObject[]; dr: IstioObject[] } = {
  vs: [
    {
      metadata: { name: 'ratings', namespace: 'bookinfo' },
      spec: {
        hosts: ['ratings'],
        http: [
          {
            match: [{ headers: { 'end-user': { exact: 'jason' } } }],
            fault: { delay: { percentage: { value: 100 }, fixedDelay: '7s' } },
            route: [{ destination: { host: 'ratings', subset: 'v1' } }],
          },
        ],
      },
    },
  ],
  dr: [
    {
      metadata: { name: 'reviews', namespace: 'bookinfo' },
      spec: {
        host: 'reviews',
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } },
        subsets: [
          { name: 'v1', labels: { version: 'v1' } },
          {
            name: 'v2',
            labels: { version: 'v2' },
            trafficPolicy: { outlierDetection: { consecutive5xxErrors: 2 } },
          },
        ],
      },
    },
  ],
};

describe('Istio policies on the graph', () => {
  const { inventory, sidecars } = istioBookinfo();
  inventory.istioPolicies = istioPolicies(objects.vs, objects.dr);
  const graph = buildGraph(inventory, new FakeTrafficSource(sidecars), { graphType: 'workload' });

  it('puts a DestinationRule on the edges to its host, subsets by the target’s version label', () => {
    expect(() => GraphSchema.parse(graph)).not.toThrow();
    const v1 = edgeOf(graph, PP, RV('v1')).policies;
    const v2 = edgeOf(graph, PP, RV('v2')).policies;
    expect(v1?.sources).toEqual(['istio']);
    expect(v1?.circuitBreaker?.thresholds).toEqual([{ priority: 'DEFAULT', maxConnections: 1 }]);
    expect(v1?.outlierDetection).toBeUndefined();
    expect(v2?.outlierDetection?.consecutive5xx).toBe(2);
    expect(policyBadges(v2)).toEqual(['circuitBreaker', 'outlierDetection']);
    // v3 is in no subset: the rule's host-wide traffic policy still applies.
    expect(edgeOf(graph, PP, RV('v3')).policies?.circuitBreaker).toBeDefined();
  });

  it("puts a VirtualService route's fault on the edges to that subset (version: v1 by convention)", () => {
    for (const caller of ['v2', 'v3']) {
      expect(edgeOf(graph, RV(caller), RATINGS).policies?.fault).toEqual({
        delay: { fixedDelayMs: 7000, percent: 100 },
        headers: ['end-user = jason'],
        abortsRps: 0,
        delaysRps: 0,
      });
    }
    expect(policyBadges(nodeOf(graph, RATINGS).policies)).toEqual(['fault']);
    // No policy where no object names the destination.
    expect(graph.edges.find((e) => e.target === 'workload:bookinfo:details-v1')?.policies).toBeUndefined();
  });
});
