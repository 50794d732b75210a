// Turns mesh entities into the nodes of one graph type, registering each node once:
// - workload: a node per workload;
// - app: the versions of an app collapse into one node per (namespace, app);
// - versionedApp: a node per (namespace, app, version); a workload without a version is its app node;
// - service: as in Kiali's service graph, a workload is shown as the Service it is known by (the one
//   the traffic addressed when known, else its home Service); a workload behind no Service stays an
//   app node, so callers such as a load generator or a gateway still appear.
// Services whose workloads are unknown, unknown destinations and inbound (unknown callers) nodes are
// the same in every graph type.
import type { GraphType, NodeKind } from '../../shared/api/graph.ts';
import type { Policies } from '../../shared/api/policies.ts';
import type { ServiceInfo, WorkloadInfo } from '../model/inventory.ts';
import { nodeId } from './graph-ids.ts';
import type { MeshEntity } from './mesh-entity.ts';
import type { MeshIndex } from './mesh-index.ts';
import type { TrafficSums } from './traffic-sum.ts';

export interface NodeDraft {
  id: string;
  kind: NodeKind;
  namespace: string;
  name: string;
  app: string | undefined;
  version: string | undefined;
  workload: string | undefined;
  service: string | undefined;
  hasSidecar: boolean;
  /** Slots of the builder's TrafficSums. */
  inbound: number;
  outbound: number;
  /** Policies of its own inbound listener (faults), set by the graph builder. */
  policies?: Policies | undefined;
}

const NO_SERVICE = Symbol('no service');

export class NodeMapper {
  readonly nodes = new Map<string, NodeDraft>();
  /** Every node's and edge's traffic (edge-book.ts adds the edges'). */
  readonly sums: TrafficSums;
  private readonly graphType: GraphType;
  private readonly index: MeshIndex;
  /**
   * Workload → its node, per Service it was reached through (`NO_SERVICE` for none; only the service
   * graph draws them differently). Every edge end goes through here, so ids are built once per node.
   */
  private readonly byWorkload = new Map<WorkloadInfo, Map<ServiceInfo | typeof NO_SERVICE, NodeDraft>>();

  constructor(graphType: GraphType, index: MeshIndex, sums: TrafficSums) {
    this.sums = sums;
    this.graphType = graphType;
    this.index = index;
  }

  /** The node an entity is drawn as (registered on first use). */
  node(entity: MeshEntity): NodeDraft {
    switch (entity.kind) {
      case 'workload':
        return this.workloadNode(entity.workload, entity.via);
      case 'service':
        return this.serviceNode(entity.service);
      case 'unknown':
        return this.register('unknown', entity.namespace, entity.name, undefined, () => ({}));
      case 'inbound': {
        // One inbound node per node it feeds: replicas' listeners (and an app's versions) collapse.
        const target = this.workloadNode(entity.workload, undefined);
        const version = target.kind === 'versionedApp' ? target.version : undefined;
        return this.register('inbound', target.namespace, target.name, version, () => ({
          workload: target.workload,
          app: target.app,
          version,
        }));
      }
    }
  }

  private workloadNode(w: WorkloadInfo, via: ServiceInfo | undefined): NodeDraft {
    const viaKey = this.graphType === 'service' && via !== undefined ? via : NO_SERVICE;
    let cached = this.byWorkload.get(w);
    if (cached === undefined) {
      cached = new Map();
      this.byWorkload.set(w, cached);
    }
    let node = cached.get(viaKey);
    if (node === undefined) {
      node = this.mapWorkload(w, via);
      cached.set(viaKey, node);
    }
    return node;
  }

  private mapWorkload(w: WorkloadInfo, via: ServiceInfo | undefined): NodeDraft {
    const sidecar = w.hasSidecar || this.index.sidecarsOf(w.namespace, w.name).length > 0;
    let node: NodeDraft;
    switch (this.graphType) {
      case 'workload':
        node = this.register('workload', w.namespace, w.name, undefined, () => ({
          app: w.app,
          version: w.version,
          workload: w.name,
        }));
        break;
      case 'versionedApp':
        if (w.version !== undefined) {
          node = this.register('versionedApp', w.namespace, w.app, w.version, () => ({
            app: w.app,
            version: w.version,
          }));
          break;
        }
        node = this.appNode(w);
        break;
      case 'app':
        node = this.appNode(w);
        break;
      case 'service': {
        const service = via ?? this.index.homeService(w);
        node = service === undefined ? this.appNode(w) : this.serviceNode(service);
        break;
      }
    }
    if (sidecar) node.hasSidecar = true;
    return node;
  }

  private appNode(w: WorkloadInfo): NodeDraft {
    return this.register('app', w.namespace, w.app, undefined, () => ({ app: w.app }));
  }

  private serviceNode(s: ServiceInfo): NodeDraft {
    const existing = this.nodes.get(nodeId('service', s.namespace, s.name));
    if (existing !== undefined) return existing;
    const node = this.register('service', s.namespace, s.name, undefined, () => ({
      service: s.name,
      app: s.selector['app'] ?? s.selector['app.kubernetes.io/name'],
    }));
    node.hasSidecar = this.index.workloadsBehind(s).some((b) => b.workload.hasSidecar);
    return node;
  }

  private register(
    kind: NodeKind,
    namespace: string,
    name: string,
    version: string | undefined,
    extra: () => Partial<Pick<NodeDraft, 'app' | 'version' | 'workload' | 'service'>>,
  ): NodeDraft {
    const id = nodeId(kind, namespace, name, version);
    let node = this.nodes.get(id);
    if (node === undefined) {
      node = {
        id,
        kind,
        namespace,
        name,
        app: undefined,
        version: undefined,
        workload: undefined,
        service: undefined,
        hasSidecar: false,
        inbound: this.sums.create(),
        outbound: this.sums.create(),
        ...extra(),
      };
      this.nodes.set(id, node);
    }
    return node;
  }
}
