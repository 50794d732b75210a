// Edges of the graph being built, keyed by their two nodes in the requested graph type, so every
// contribution (clusters, Istio destinations, callers collapsed into one app) lands on one edge.
import type { EdgeWeight, Traffic } from '../../shared/api/graph.ts';
import type { WorkloadInfo } from '../model/inventory.ts';
import { edgeId } from './graph-ids.ts';
import { entityKey, type MeshEntity } from './mesh-entity.ts';
import type { NodeDraft, NodeMapper } from './node-mapper.ts';
import { TrafficSum } from './traffic-sum.ts';

export interface EdgeDraft {
  id: string;
  source: NodeDraft;
  target: NodeDraft;
  traffic: TrafficSum;
  clusters: Set<string>;
  weights: EdgeWeight[];
}

export class EdgeBook {
  readonly edges = new Map<string, EdgeDraft>();
  private readonly mapper: NodeMapper;
  /** Workloads (entity keys) that an edge with requests leads to. */
  private readonly called = new Set<string>();

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
  ): void {
    const edge = this.ensure(source, target);
    edge.traffic.add(traffic, share);
    if (cluster !== undefined) edge.clusters.add(cluster);
    if (target.kind === 'workload' && traffic.rps * share > 0) {
      this.called.add(entityKey(target));
    }
  }

  ensure(source: MeshEntity, target: MeshEntity): EdgeDraft {
    const s = this.mapper.node(source);
    const t = this.mapper.node(target);
    const id = edgeId(s.id, t.id);
    let edge = this.edges.get(id);
    if (edge === undefined) {
      edge = { id, source: s, target: t, traffic: new TrafficSum(), clusters: new Set(), weights: [] };
      this.edges.set(id, edge);
    }
    return edge;
  }

  /**
   * Whether the edges added so far account for requests this workload received (from a known caller,
   * or from unknown ones that Istio's destination reports already counted).
   */
  hasKnownCaller(w: WorkloadInfo): boolean {
    return this.called.has(entityKey({ kind: 'workload', workload: w, via: undefined }));
  }
}

/** Adds a weight to an edge once per (route, cluster). */
export function addWeight(edge: EdgeDraft, weight: EdgeWeight): void {
  if (!edge.weights.some((w) => w.routeId === weight.routeId && w.cluster === weight.cluster)) {
    edge.weights.push(weight);
  }
}
