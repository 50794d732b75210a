// What the alert rules read, as plain data: one snapshot per scrape cycle, made of what the dashboard
// already computed (the workload graph, the weighted routes with their drift, the scrape statuses) and
// the latest scrape's structure (hosts, gauges). Rules are pure functions of it (conditions/*.ts).
import type { Graph, Traffic } from '../../shared/api/graph.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { SidecarStatus } from '../../shared/api/sidecars.ts';
import { nodeId } from '../graph/graph-ids.ts';
import { MeshIndex } from '../graph/mesh-index.ts';
import { TrafficSums } from '../graph/traffic-sum.ts';
import { collectWeightedRoutes, configuredShare } from '../graph/weighted-route-facts.ts';
import type { Inventory } from '../model/inventory.ts';
import type { ClusterGauges } from '../model/sidecar-data.ts';
import type { TrafficSource } from '../model/traffic-source.ts';

/** Who a condition is about: the reporting workload, and where on the graph it shows. */
export interface Subject {
  namespace: string;
  workload: string;
}

/**
 * What a workload sent to one upstream cluster, its replicas summed. Rules read this rather than graph
 * edges because a request refused for want of a healthy host (UH) never reaches
 * `upstream_rq_total` nor `upstream_rq_503` (Envoy only counts `upstream_cx_none_healthy`), so a cluster
 * whose hosts are all down draws no edge at all; the PromQL export groups by cluster the same way.
 */
export interface UpstreamFacts extends Subject {
  /** `namespace/workload/cluster`: what trafficStopped remembers. */
  key: string;
  cluster: string;
  /** The workload-graph edge the cluster's traffic is drawn on, when it carried traffic. */
  edge: string | undefined;
  /** Display name of the destination: the edge's target node, else the cluster. */
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
  upstreams: UpstreamFacts[];
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
  const edgeOf = new Map<string, { id: string; target: string }>();
  for (const e of graph.edges) {
    const target = nodes.get(e.target)?.name ?? e.target;
    // Several destinations of one cluster: the first edge (the graph sorts them) stands for it.
    for (const c of e.clusters) {
      const k = `${e.source}\u0000${c}`;
      if (!edgeOf.has(k)) edgeOf.set(k, { id: e.id, target });
    }
  }

  const clusters: ClusterFacts[] = [];
  const sums = new TrafficSums();
  const upstreams = new Map<string, { facts: UpstreamFacts; sum: number }>();
  for (const s of input.inventory.sidecars) {
    const scrape = traffic.latest(s.id);
    if (scrape === undefined) continue;
    const source = nodeId('workload', s.namespace, s.workload);
    for (const cluster of scrape.clusters.keys()) {
      const t = traffic.clusterTraffic(s.id, cluster);
      if (t === undefined) continue;
      const key = `${s.namespace}/${s.workload}/${cluster}`;
      let u = upstreams.get(key);
      if (u === undefined) {
        const edge = edgeOf.get(`${source}\u0000${cluster}`);
        u = {
          facts: {
            key,
            namespace: s.namespace,
            workload: s.workload,
            cluster,
            edge: edge?.id,
            target: edge?.target ?? cluster,
            traffic: t,
          },
          sum: sums.create(),
        };
        upstreams.set(key, u);
      }
      sums.add(u.sum, t);
    }
    const names = new Set([...scrape.hosts.keys(), ...(scrape.gauges?.keys() ?? [])]);
    for (const cluster of names) {
      const hosts = scrape.hosts.get(cluster) ?? [];
      clusters.push({
        namespace: s.namespace,
        workload: s.workload,
        sidecarId: s.id,
        cluster,
        edge: edgeOf.get(`${source}\u0000${cluster}`)?.id,
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
  const routes: RouteFacts[] = collectWeightedRoutes(MeshIndex.of(input.inventory), traffic).map((f) => {
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
        edge: edgeOf.get(`${source}\u0000${c.name}`)?.id,
      })),
      replicas: r
        ? r.replicas.map((x) => ({ sidecarId: x.sidecarId, drift: x.drift }))
        : f.replicas.map((x) => ({ sidecarId: x.id, drift: undefined })),
    };
  });

  return {
    at: input.at,
    windowSeconds: window,
    upstreams: [...upstreams.values()].map((u) => ({ ...u.facts, traffic: sums.toTraffic(u.sum) })),
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
