// GET /api/routes: every weighted route, grouped by source workload, with each cluster's configured,
// runtime and effective weight, where its traffic goes, and the share of the route's requests it took.
import { createHash } from 'node:crypto';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { Inventory } from '../model/inventory.ts';
import type { TrafficSource } from '../model/traffic-source.ts';
import { scrapeDestinations } from './destination-resolver.ts';
import { MeshIndex } from './mesh-index.ts';
import { NodeMapper } from './node-mapper.ts';
import { TrafficSums } from './traffic-sum.ts';
import { collectWeightedRoutes, observedShare, type WeightedRouteFacts } from './weighted-route-facts.ts';

export function buildRoutes(inventory: Inventory, traffic: TrafficSource): WeightedRoute[] {
  const index = MeshIndex.of(inventory);
  // Destinations are named by their workload-graph node ids, the most specific the graph has.
  const mapper = new NodeMapper('workload', index, new TrafficSums());
  const routes = collectWeightedRoutes(index, traffic).map((route) => toWeightedRoute(route, index, mapper));
  return routes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toWeightedRoute(route: WeightedRouteFacts, index: MeshIndex, mapper: NodeMapper): WeightedRoute {
  const { config } = route;
  return {
    id: route.id,
    source: { namespace: route.caller.namespace, workload: route.caller.name },
    replicas: route.replicas.map((r) => ({ sidecarId: r.id, adminUrl: r.admin.baseUrl })),
    listener: config.listener,
    routeConfig: config.routeConfig,
    virtualHost: config.virtualHost,
    routeName: config.routeName ?? null,
    match: config.match,
    runtimeKeyPrefix: config.runtimeKeyPrefix ?? null,
    // The denominator the sidecar draws from: the sum of the effective weights.
    totalWeight: route.totalEffectiveWeight,
    clusters: route.clusters.map((c) => {
      const destinations = scrapeDestinations(index, route.caller, route.scrape, c.name);
      // The destination taking the largest share (a cluster spread over several workloads names one).
      const main = destinations.reduce<(typeof destinations)[number] | undefined>(
        (best, d) => (best === undefined || d.share > best.share ? d : best),
        undefined,
      );
      return {
        name: c.name,
        configuredWeight: c.configuredWeight,
        runtimeWeight: c.runtimeWeight,
        effectiveWeight: c.effectiveWeight,
        destination: main === undefined ? null : mapper.node(main.entity).id,
        observedShare: observedShare(route, c),
      };
    }),
    version: routeVersion(route),
  };
}

/**
 * A short hash of the effective configuration of every replica (cluster names, configured and runtime
 * weights), so it changes whenever a weight changes anywhere and a stale If-Match is refused.
 */
export function routeVersion(route: WeightedRouteFacts): string {
  return createHash('sha256').update(route.signatures.join('\n')).digest('base64url').slice(0, 12);
}
