// The service graph (GET /api/graph), built from the inventory and a TrafficSource only.
//
// Edges go from a sidecar's own workload to the destinations of each upstream cluster that carried
// requests over the window (destination-resolver.ts says how hosts map to workloads, Services or an
// `unknown` node). A sidecar that reports Istio telemetry (`reporter="source"` series) has its
// outbound edges from that instead, since its cluster stats count the same requests (istio-edges.ts).
// A workload whose inbound listener received requests that no known caller accounts for gets an
// `inbound` node feeding it (Kiali's "unknown" source). Every known workload is a node, idle or not.
// Edges of weighted routes carry the configured weight beside the observed share; a route with
// traffic also gets an (idle) edge to a cluster that received none, so a 0 % observation shows;
// an idle route annotates nothing.
// Node figures are the sums of their edges, computed before the namespace filter, which (like Kiali)
// keeps every edge that touches a selected namespace and the nodes at both ends. How each graph type
// draws workloads (as themselves, apps, versioned apps or Services) is node-mapper.ts.
import type { EdgeWeight, Graph, GraphEdge, GraphNode, GraphType, Traffic } from '../../shared/api/graph.ts';
import type { Policies } from '../../shared/api/policies.ts';
import type { Inventory, WorkloadInfo } from '../model/inventory.ts';
import type { TrafficSource } from '../model/traffic-source.ts';
import { scrapeDestinations } from './destination-resolver.ts';
import { addCluster, addWeight, EdgeBook, type EdgeDraft } from './edge-book.ts';
import { clusterPolicies, mergePolicies, shadowClusters } from './edge-policies.ts';
import { DEFAULT_HEALTH_THRESHOLDS, type HealthThresholds, nodeHealth, trafficHealth } from './health.ts';
import { IstioEdges } from './istio-edges.ts';
import { applyIstioPolicies } from './istio-policy-match.ts';
import { type MeshEntity, workloadEntity } from './mesh-entity.ts';
import { MeshIndex } from './mesh-index.ts';
import { type NodeDraft, NodeMapper } from './node-mapper.ts';
import { TrafficSums } from './traffic-sum.ts';
import { collectWeightedRoutes, configuredShare, observedShare } from './weighted-route-facts.ts';

export interface BuildGraphOptions {
  graphType: GraphType;
  /** Keep edges touching these namespaces (and their end nodes); all namespaces when absent or empty. */
  namespaces?: string[];
  health?: HealthThresholds;
}

export function buildGraph(inventory: Inventory, traffic: TrafficSource, opts: BuildGraphOptions): Graph {
  const index = MeshIndex.of(inventory);
  const sums = new TrafficSums(4 * inventory.sidecars.length + 64);
  const mapper = new NodeMapper(opts.graphType, index, sums);
  const book = new EdgeBook(mapper);
  for (const w of inventory.workloads) mapper.node(workloadEntity(w));

  addOutboundEdges(index, traffic, book);
  addRouteWeights(index, traffic, book);
  addUnknownCallers(index, traffic, book);
  const drafts = book.edges();
  applyIstioPolicies(inventory.istioPolicies, drafts);

  const thresholds = opts.health ?? DEFAULT_HEALTH_THRESHOLDS;
  // Node policies: the node's own (inbound faults) and what its callers apply towards it.
  const nodePolicies = new Map<NodeDraft, Policies | undefined>();
  const edgeTraffic = drafts.map((edge) => {
    const t = sums.toTraffic(edge.traffic);
    // The caller never sees a mirror's answers: mirrored copies are not part of what it sent.
    if (edge.mirror !== true) {
      sums.add(edge.source.outbound, t);
      nodePolicies.set(edge.target, mergePolicies(nodePolicies.get(edge.target), edge.policies));
    }
    sums.add(edge.target.inbound, t);
    return t;
  });
  const selected =
    opts.namespaces !== undefined && opts.namespaces.length > 0 ? new Set(opts.namespaces) : undefined;
  const kept = new Set<NodeDraft>();
  const keptEdges: number[] = [];
  drafts.forEach((edge, i) => {
    if (
      selected === undefined ||
      selected.has(edge.source.namespace) ||
      selected.has(edge.target.namespace)
    ) {
      kept.add(edge.source);
      kept.add(edge.target);
      keptEdges.push(i);
    }
  });
  for (const node of mapper.nodes.values()) {
    if (selected === undefined || selected.has(node.namespace)) kept.add(node);
  }
  const sortedNodes = [...kept].sort((a, b) => compare(a.id, b.id));
  const rank = new Map<NodeDraft, number>();
  for (let i = 0; i < sortedNodes.length; i++) rank.set(sortedNodes[i]!, i);
  // Edge ids are `source,target` and `,` sorts before every id character, so ordering by the two
  // nodes' ranks is the ids' order, without comparing long strings.
  const order = new Float64Array(drafts.length);
  for (const i of keptEdges) {
    order[i] = rank.get(drafts[i]!.source)! * sortedNodes.length + rank.get(drafts[i]!.target)!;
  }
  keptEdges.sort((a, b) => order[a]! - order[b]!);
  const edges = keptEdges.map((i) => toEdge(drafts[i]!, edgeTraffic[i]!, thresholds));
  const graphNodes = sortedNodes.map((n) =>
    toNode(n, sums, thresholds, mergePolicies(n.policies, nodePolicies.get(n))),
  );
  return {
    timestamp: traffic.updatedAt,
    windowSeconds: traffic.windowSeconds,
    graphType: opts.graphType,
    namespaces: selected !== undefined ? [...selected].sort() : namespacesOf(graphNodes),
    nodes: graphNodes,
    edges,
  };
}

function addOutboundEdges(index: MeshIndex, traffic: TrafficSource, book: EdgeBook): void {
  const istio = new IstioEdges(index, book);
  const callees: [ReturnType<MeshIndex['callerOf']>, ReturnType<TrafficSource['istioTraffic']>][] = [];
  for (const sidecar of index.inventory.sidecars) {
    const caller = index.callerOf(sidecar);
    const reports = traffic.istioTraffic(sidecar.id);
    if (reports.length > 0) callees.push([caller, reports]);
    if (reports.some((r) => r.key.reporter === 'source')) {
      istio.addSourceReports(caller, reports);
      continue;
    }
    const scrape = traffic.latest(sidecar.id);
    if (scrape === undefined) continue;
    const source = workloadEntity(caller);
    const shadows = scrape.policies === undefined ? undefined : shadowClusters(scrape);
    const figures = traffic.policyFigures?.(sidecar.id);
    for (const cluster of scrape.clusters.keys()) {
      const t = traffic.clusterTraffic(sidecar.id, cluster);
      if (t === undefined || !(t.rps > 0)) continue;
      const policies = clusterPolicies(scrape, cluster, t, figures);
      const mirror = shadows?.has(cluster) === true;
      for (const d of scrapeDestinations(index, caller, scrape, cluster)) {
        // A cluster leading back to the sidecar's own workload is its local app: the inbound side,
        // whose policies (a fault on the inbound listener) are the node's.
        if (isWorkload(d.entity, caller)) {
          const node = book.node(source);
          node.policies = mergePolicies(node.policies, policies);
          continue;
        }
        const edge = book.add(source, d.entity, t, d.share, cluster, mirror);
        edge.policies = mergePolicies(edge.policies, policies);
      }
    }
  }
  for (const [callee, reports] of callees) istio.addDestinationReports(callee, reports);
}

function addRouteWeights(index: MeshIndex, traffic: TrafficSource, book: EdgeBook): void {
  for (const route of collectWeightedRoutes(index, traffic)) {
    // An idle route has no edges to annotate (GET /api/routes still lists it).
    if (!(route.totalRps > 0)) continue;
    const source = workloadEntity(route.caller);
    for (const cluster of route.clusters) {
      const weight: EdgeWeight = {
        routeId: route.id,
        cluster: cluster.name,
        configured: configuredShare(route, cluster),
        observed: observedShare(route, cluster),
      };
      for (const d of scrapeDestinations(index, route.caller, route.scrape, cluster.name)) {
        if (isWorkload(d.entity, route.caller)) continue;
        const edge = book.ensure(source, d.entity);
        addCluster(edge, cluster.name);
        addWeight(edge, weight);
      }
    }
  }
}

/** Inbound listener traffic of workloads that no edge accounts for: an `inbound` node feeds them. */
function addUnknownCallers(index: MeshIndex, traffic: TrafficSource, book: EdgeBook): void {
  for (const sidecars of index.sidecarGroups()) {
    const workload = index.callerOf(sidecars[0]!);
    if (book.hasKnownCaller(workload)) continue;
    let inbound: Traffic | undefined;
    if (sidecars.length === 1) inbound = traffic.inboundTraffic(sidecars[0]!.id);
    else {
      const sum = book.sums.create();
      for (const sidecar of sidecars) {
        const t = traffic.inboundTraffic(sidecar.id);
        if (t !== undefined) book.sums.add(sum, t);
      }
      inbound = book.sums.toTraffic(sum);
    }
    if (inbound !== undefined && inbound.rps > 0)
      book.add({ kind: 'inbound', workload }, workloadEntity(workload), inbound, 1, undefined);
  }
}

function isWorkload(e: MeshEntity, w: WorkloadInfo): boolean {
  return e.kind === 'workload' && e.workload === w;
}

function toEdge(edge: EdgeDraft, traffic: Traffic, thresholds: HealthThresholds): GraphEdge {
  const out: GraphEdge = {
    id: edge.id,
    source: edge.source.id,
    target: edge.target.id,
    protocol: 'http',
    clusters: edge.clusters.length > 1 ? [...edge.clusters].sort() : edge.clusters,
    traffic,
    weights: edge.weights,
    health: trafficHealth(traffic, thresholds),
  };
  if (edge.policies !== undefined) out.policies = edge.policies;
  if (edge.mirror === true) out.mirror = true;
  return out;
}

function toNode(
  n: NodeDraft,
  sums: TrafficSums,
  thresholds: HealthThresholds,
  policies: Policies | undefined,
): GraphNode {
  const inbound = sums.toTraffic(n.inbound);
  const outbound = sums.toTraffic(n.outbound);
  const node: GraphNode = {
    id: n.id,
    kind: n.kind,
    namespace: n.namespace,
    name: n.name,
    hasSidecar: n.hasSidecar,
    health: nodeHealth(inbound, outbound, thresholds),
    inbound,
    outbound,
  };
  if (n.app !== undefined) node.app = n.app;
  if (n.version !== undefined) node.version = n.version;
  if (n.workload !== undefined) node.workload = n.workload;
  if (n.service !== undefined) node.service = n.service;
  if (policies !== undefined) node.policies = policies;
  return node;
}

function namespacesOf(nodes: GraphNode[]): string[] {
  return [...new Set(nodes.map((n) => n.namespace))].sort();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
