// What the alert rules read, as plain data: one snapshot per scrape cycle, made of what the dashboard
// already computed (the workload graph, the weighted routes with their drift, the scrape statuses) and
// the latest scrape's structure (hosts, gauges). Rules are pure functions of it (conditions/*.ts).
import type { Graph, Traffic } from '../../shared/api/graph.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { SidecarStatus } from '../../shared/api/sidecars.ts';
import { nodeId } from '../graph/graph-ids.ts';
import { MeshIndex } from '../graph/mesh-index.ts';
import { collectWeightedRoutes, configuredShare } from '../graph/weighted-route-facts.ts';
import type { Inventory } from '../model/inventory.ts';
import type { ClusterGauges } from '../model/sidecar-data.ts';
import type { TrafficSource } from '../model/traffic-source.ts';

/** Who a condition is about: the reporting workload, and where on the graph it shows. */
export interface Subject {
  namespace: string;
  workload: string;
}

export interface EdgeFacts extends Subject {
  id: string;
  /** Display name of the destination node. */
  target: string;
  traffic: Traffic;
}

export interface ClusterFacts extends Subject {
  sidecarId: string;
  cluster: string;
  /** The workload-graph edge the cluster's traffic is drawn on, when it carried traffic. */
  edge: string | undefined;
  gauges: ClusterGauges | undefined;
  /** From /clusters?format=json: hosts known, healthy, and flagged failed_outlier_check. */
  hosts: { total: number; healthy: number; ejected: number };
  /** UO per second: upstream_rq_pending_overflow + upstream_cx_overflow over the window. */
  overflowRate: number;
}

export interface RouteFacts extends Subject {
  id: string;
  /** Requests of the route's clusters over the window (rate × window, replicas summed). */
  requests: number;
  clusters: { name: string; configuredShare: number; requests: number; edge: string | undefined }[];
  replicas: { sidecarId: string; drift: boolean | undefined }[];
}

export interface SidecarFacts extends Subject {
  id: string;
  up: boolean;
  lastSuccess: number | null;
  lastError: string | null;
}

export interface MeshSnapshot {
  /** Epoch ms of the evaluation. */
  at: number;
  windowSeconds: number;
  edges: EdgeFacts[];
  clusters: ClusterFacts[];
  routes: RouteFacts[];
  sidecars: SidecarFacts[];
}

export interface SnapshotInput {
  at: number;
  inventory: Inventory;
  traffic: TrafficSource;
  /** The workload graph over every namespace. */
  graph: Graph;
  /** GET /api/routes as served (with drift when weights were set through meshscope). */
  routes: readonly WeightedRoute[];
  sidecars: readonly SidecarStatus[];
}

export function buildMeshSnapshot(input: SnapshotInput): MeshSnapshot {
  const { graph, traffic } = input;
  const window = traffic.windowSeconds;
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edgeOf = new Map<string, string>();
  const edges: EdgeFacts[] = [];
  for (const e of graph.edges) {
    for (const c of e.clusters) edgeOf.set(`${e.source}\u0000${c}`, e.id);
    const source = nodes.get(e.source);
    const target = nodes.get(e.target);
    // An `inbound` source stands for callers without a sidecar: the edge belongs to its target.
    const owner = source?.kind === 'inbound' ? target : source;
    edges.push({
      id: e.id,
      namespace: owner?.namespace ?? '',
      workload: owner?.workload ?? owner?.name ?? '',
      target: target?.name ?? e.target,
      traffic: e.traffic,
    });
  }

  const clusters: ClusterFacts[] = [];
  for (const s of input.inventory.sidecars) {
    const scrape = traffic.latest(s.id);
    if (scrape === undefined) continue;
    const source = nodeId('workload', s.namespace, s.workload);
    const names = new Set([...scrape.hosts.keys(), ...(scrape.gauges?.keys() ?? [])]);
    for (const cluster of names) {
      const hosts = scrape.hosts.get(cluster) ?? [];
      clusters.push({
        namespace: s.namespace,
        workload: s.workload,
        sidecarId: s.id,
        cluster,
        edge: edgeOf.get(`${source}\u0000${cluster}`),
        gauges: scrape.gauges?.get(cluster),
        hosts: {
          total: hosts.length,
          healthy: hosts.filter((h) => h.healthy).length,
          ejected: hosts.filter((h) => h.flags.includes('failed_outlier_check')).length,
        },
        overflowRate: traffic.clusterTraffic(s.id, cluster)?.causes503.overflow ?? 0,
      });
    }
  }

  const served = new Map(input.routes.map((r) => [r.id, r]));
  const routes: RouteFacts[] = collectWeightedRoutes(new MeshIndex(input.inventory), traffic).map((f) => {
    const source = nodeId('workload', f.caller.namespace, f.caller.name);
    const r = served.get(f.id);
    return {
      id: f.id,
      namespace: f.caller.namespace,
      workload: f.caller.name,
      requests: f.totalRps * window,
      clusters: f.clusters.map((c) => ({
        name: c.name,
        configuredShare: configuredShare(f, c),
        requests: c.rps * window,
        edge: edgeOf.get(`${source}\u0000${c.name}`),
      })),
      replicas: r
        ? r.replicas.map((x) => ({ sidecarId: x.sidecarId, drift: x.drift }))
        : f.replicas.map((x) => ({ sidecarId: x.id, drift: undefined })),
    };
  });

  return {
    at: input.at,
    windowSeconds: window,
    edges,
    clusters,
    routes,
    sidecars: input.sidecars.map((s) => ({
      id: s.id,
      namespace: s.namespace,
      workload: s.workload,
      up: s.up,
      lastSuccess: s.lastSuccess,
      lastError: s.lastError,
    })),
  };
}
