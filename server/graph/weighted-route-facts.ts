// Every weighted route of every sidecar, grouped by source workload: what both the graph (weights on
// edges) and GET /api/routes are made of. A route is identified by where it sits in the workload's
// configuration (listener, route config, virtual host, index), which its replicas share.
//
// Effective weight: with `runtime_key_prefix` set on `weighted_clusters`, Envoy reads the weight of
// cluster C from the runtime key `<prefix>.C` on every request and falls back to the configured weight
// when the key is unset or not an unsigned integer (route_components.proto, WeightedCluster). The
// configured share is that weight over the sum of the route's effective weights: the range Envoy draws
// from once `total_weight` is left unset.
import type { SidecarTarget, WorkloadInfo } from '../model/inventory.ts';
import type { SidecarScrape, WeightedRouteConfig } from '../model/sidecar-data.ts';
import type { TrafficSource } from '../model/traffic-source.ts';
import { routeId } from './graph-ids.ts';
import type { MeshIndex } from './mesh-index.ts';

export interface RouteClusterFacts {
  name: string;
  configuredWeight: number;
  runtimeWeight: number | null;
  effectiveWeight: number;
  /** Requests per second to this cluster, summed over the replicas. */
  rps: number;
}

export interface WeightedRouteFacts {
  id: string;
  caller: WorkloadInfo;
  /** The first replica's (lowest sidecar id) configuration; the others are in `signatures`. */
  config: WeightedRouteConfig;
  /** The first replica's latest scrape (its hosts resolve the clusters' destinations). */
  scrape: SidecarScrape;
  replicas: SidecarTarget[];
  clusters: RouteClusterFacts[];
  totalEffectiveWeight: number;
  totalRps: number;
  /** Each distinct effective configuration among the replicas (weights and runtime values), sorted. */
  signatures: string[];
}

/** Configured share of a cluster: its effective weight over the route's total (0 when all are 0). */
export function configuredShare(route: WeightedRouteFacts, cluster: RouteClusterFacts): number {
  return route.totalEffectiveWeight > 0 ? cluster.effectiveWeight / route.totalEffectiveWeight : 0;
}

/**
 * Observed share: the cluster's requests over the route's clusters' requests; null when idle. Cluster
 * stats count requests per cluster, not per route, so a cluster that two routes share counts in both.
 */
export function observedShare(route: WeightedRouteFacts, cluster: RouteClusterFacts): number | null {
  return route.totalRps > 0 ? Math.min(1, cluster.rps / route.totalRps) : null;
}

export function collectWeightedRoutes(index: MeshIndex, traffic: TrafficSource): WeightedRouteFacts[] {
  const byId = new Map<string, WeightedRouteFacts>();
  for (const sidecar of index.sidecarsById()) {
    const scrape = traffic.latest(sidecar.id);
    if (scrape === undefined || scrape.routes.length === 0) continue;
    const caller = index.callerOf(sidecar);
    for (const { id, config, weights, signature } of routeReadings(scrape, caller)) {
      let facts = byId.get(id);
      if (facts === undefined) {
        facts = {
          id,
          caller,
          config,
          scrape,
          replicas: [],
          clusters: weights.map((w) => ({ ...w, rps: 0 })),
          totalEffectiveWeight: weights.reduce((n, w) => n + w.effectiveWeight, 0),
          totalRps: 0,
          signatures: [],
        };
        byId.set(id, facts);
      }
      facts.replicas.push(sidecar);
      if (!facts.signatures.includes(signature)) facts.signatures.push(signature);
      for (const cluster of facts.clusters) {
        const rps = traffic.clusterTraffic(sidecar.id, cluster.name)?.rps ?? 0;
        cluster.rps += rps;
        facts.totalRps += rps;
      }
    }
  }
  for (const facts of byId.values()) facts.signatures.sort();
  return [...byId.values()];
}

/** What one scrape says of one of its routes, apart from traffic. */
interface RouteReading {
  id: string;
  config: WeightedRouteConfig;
  weights: Omit<RouteClusterFacts, 'rps'>[];
  signature: string;
}

/**
 * A scrape's routes read once: every graph type, window and API call between two scrapes reads the
 * same configuration and runtime. A scrape is one sidecar's, so its caller (the id's namespace and
 * workload, the sidecar's identity) is the same at every read.
 */
const readings = new WeakMap<SidecarScrape, RouteReading[]>();

function routeReadings(scrape: SidecarScrape, caller: WorkloadInfo): RouteReading[] {
  let list = readings.get(scrape);
  if (list === undefined) {
    list = scrape.routes.map((config) => {
      const weights = effectiveWeights(config, scrape.runtime);
      return {
        id: routeId(
          caller.namespace,
          caller.name,
          config.listener,
          config.routeConfig,
          config.virtualHost,
          config.routeIndex,
        ),
        config,
        weights,
        signature: JSON.stringify([
          config.runtimeKeyPrefix ?? null,
          weights.map((w) => [w.name, w.configuredWeight, w.runtimeWeight, w.effectiveWeight]),
        ]),
      };
    });
    readings.set(scrape, list);
  }
  return list;
}

function effectiveWeights(
  config: WeightedRouteConfig,
  runtime: ReadonlyMap<string, string>,
): Omit<RouteClusterFacts, 'rps'>[] {
  return config.clusters.map((c) => {
    const raw =
      config.runtimeKeyPrefix === undefined ? undefined : runtime.get(`${config.runtimeKeyPrefix}.${c.name}`);
    const runtimeWeight = raw !== undefined && /^\s*\d+\s*$/.test(raw) ? Number(raw) : null;
    return {
      name: c.name,
      configuredWeight: c.weight,
      runtimeWeight,
      effectiveWeight: runtimeWeight ?? c.weight,
    };
  });
}
