import { describe, expect, it } from 'vitest';
import { scrapeFromPayloads } from '../../../bench/graph/scrape-payloads.ts';
import { syntheticMesh } from '../../../bench/graph/synthetic-mesh.ts';
import { CachedTrafficSource } from '../../../server/graph/cached-traffic-source.ts';
import { filterGraphByNamespaces } from '../../../server/graph/filter-graph.ts';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { MetricsStore } from '../../../server/metrics/metrics-store.ts';
import type { GraphType } from '../../../shared/api/graph.ts';

// A small multi-namespace mesh shaped like Envoy's outputs (bench/graph's generator): weighted routes,
// Services, STRICT_DNS hosts, external hosts (unknown nodes), 503s; two scrapes so every edge has rates.
function mesh() {
  const m = syntheticMesh({
    workloads: 60,
    replicasPerWorkload: 2,
    clustersPerSidecar: 6,
    namespaces: 5,
    seed: 7,
  });
  let clock = 1_800_000_000_000;
  const store = new MetricsStore({ now: () => clock });
  for (const cycle of [1, 2]) {
    clock += 5000;
    for (const sc of m.inventory.sidecars)
      store.ingest(scrapeFromPayloads(sc.id, m.payloads.get(sc.id)!, cycle, clock));
  }
  return { inventory: m.inventory, traffic: new CachedTrafficSource(store) };
}

describe('filterGraphByNamespaces', () => {
  const { inventory, traffic } = mesh();
  const types: GraphType[] = ['workload', 'app', 'versionedApp', 'service'];
  const selections = [['ns-00'], ['ns-03', 'ns-01'], ['ns-04', 'no-such-namespace'], ['no-such-namespace']];

  it.each(types)('gives the %s graph a filtered build gives, for every selection', (graphType) => {
    const full = buildGraph(inventory, traffic, { graphType });
    expect(full.edges.length).toBeGreaterThan(50);
    for (const namespaces of selections) {
      const built = buildGraph(inventory, traffic, { graphType, namespaces });
      const derived = filterGraphByNamespaces(full, namespaces);
      expect(derived).toEqual(built);
      if (namespaces[0] === 'ns-00') {
        // Edges into other namespaces bring their end nodes along, as Kiali does.
        expect(built.nodes.some((n) => n.namespace !== 'ns-00')).toBe(true);
        expect(built.edges.length).toBeLessThan(full.edges.length);
      }
    }
  });

  it('returns the full graph for an empty selection', () => {
    const full = buildGraph(inventory, traffic, { graphType: 'workload' });
    expect(filterGraphByNamespaces(full, [])).toBe(full);
  });
});
