// Edges of the graph being built, keyed by their two nodes in the requested graph type, so every
// contribution (clusters, Istio destinations, callers collapsed into one app) lands on one edge.
import type { EdgeWeight, Traffic } from '../../shared/api/graph.ts';
import type { Policies } from '../../shared/api/policies.ts';
import type { WorkloadInfo } from '../model/inventory.ts';
import { edgeId } from './graph-ids.ts';
import type { MeshEntity } from './mesh-entity.ts';
import type { NodeDraft, NodeMapper } from './node-mapper.ts';
import type { TrafficSums } from './traffic-sum.ts';

export interface EdgeDraft {
  id: string;
  source: NodeDraft;
  target: NodeDraft;
  /** Its traffic: a slot of the builder's TrafficSums. */
  traffic: number;
  /** Upstream clusters that carried it, each once (an array: edges have one or two). */
  clusters: string[];
  weights: EdgeWeight[];
  /** What the source's sidecars apply on the way (edge-policies.ts). */
  policies?: Policies | undefined;
  /** A mirror edge: the copies a route sends to its shadow cluster (`request_mirror_policies`). */
  mirror?: boolean;
}

export class EdgeBook {
  /** Edges by source node, then target node (object keys: no id strings to build and hash per add). */
  private readonly bySource = new Map<NodeDraft, Map<NodeDraft, EdgeDraft>>();
  /** Mirror edges, kept apart so a shadow that is also a primary destination gets two edges. */
  private readonly mirrors = new Map<NodeDraft, Map<NodeDraft, EdgeDraft>>();
  private readonly mapper: NodeMapper;
  /** Workloads that an edge with requests leads to. */
  private readonly called = new Set<WorkloadInfo>();

  constructor(mapper: NodeMapper) {
    this.mapper = mapper;
  }

  /** Adds `share` of `traffic` to the edge between the two entities' nodes (created if new). */
  add(
    source: MeshEntity,
    target: MeshEntity,
    traffic: Traffic,
    share: number,
    cluster: string | undefined,
    mirror = false,
  ): EdgeDraft {
    const edge = this.ensure(source, target, mirror);
    this.mapper.sums.add(edge.traffic, traffic, share);
    if (cluster !== undefined) addCluster(edge, cluster);
    if (target.kind === 'workload' && traffic.rps * share > 0) this.called.add(target.workload);
    return edge;
  }

  ensure(source: MeshEntity, target: MeshEntity, mirror = false): EdgeDraft {
    const s = this.mapper.node(source);
    const t = this.mapper.node(target);
    const book = mirror ? this.mirrors : this.bySource;
    let targets = book.get(s);
    if (targets === undefined) {
      targets = new Map();
      book.set(s, targets);
    }
    let edge = targets.get(t);
    if (edge === undefined) {
      edge = {
        // `,mirror`: `,` never occurs inside a node id (graph-ids.ts).
        id: mirror ? `${edgeId(s.id, t.id)},mirror` : edgeId(s.id, t.id),
        source: s,
        target: t,
        traffic: this.mapper.sums.create(),
        clusters: [],
        weights: [],
        ...(mirror && { mirror: true }),
      };
      targets.set(t, edge);
    }
    return edge;
  }

  /** Where edges' and nodes' traffic add up. */
  get sums(): TrafficSums {
    return this.mapper.sums;
  }

  /** The node an entity is drawn as. */
  node(entity: MeshEntity): NodeDraft {
    return this.mapper.node(entity);
  }

  /** Every edge, mirrors last (an array: no iterator objects per edge). */
  edges(): EdgeDraft[] {
    const out: EdgeDraft[] = [];
    for (const targets of this.bySource.values()) for (const edge of targets.values()) out.push(edge);
    for (const targets of this.mirrors.values()) for (const edge of targets.values()) out.push(edge);
    return out;
  }

  /**
   * Whether the edges added so far account for requests this workload received (from a known caller,
   * or from unknown ones that Istio's destination reports already counted).
   */
  hasKnownCaller(w: WorkloadInfo): boolean {
    return this.called.has(w);
  }
}

export function addCluster(edge: EdgeDraft, cluster: string): void {
  if (!edge.clusters.includes(cluster)) edge.clusters.push(cluster);
}

/** Adds a weight to an edge once per (route, cluster). */
export function addWeight(edge: EdgeDraft, weight: EdgeWeight): void {
  if (!edge.weights.some((w) => w.routeId === weight.routeId && w.cluster === weight.cluster)) {
    edge.weights.push(weight);
  }
}
