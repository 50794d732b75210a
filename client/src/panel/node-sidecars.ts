// Which workloads (and so which sidecars and weighted routes) stand behind a graph node. Workload
// nodes name theirs; app, versioned-app and service nodes are matched against the workload graph's
// nodes, which carry each workload's app and version labels.
import type { Graph, GraphNode } from '../../../shared/api/graph.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import type { SidecarStatus } from '../../../shared/api/sidecars.ts';

export interface WorkloadRef {
  namespace: string;
  workload: string;
}

/** True when the node's workloads can only be found through the workload graph. */
export function needsWorkloadGraph(node: GraphNode): boolean {
  return node.kind === 'app' || node.kind === 'versionedApp' || node.kind === 'service';
}

export function workloadsOfNode(node: GraphNode, workloadGraph: Graph | undefined): WorkloadRef[] {
  if (node.kind === 'workload') return [{ namespace: node.namespace, workload: node.workload ?? node.name }];
  if (!needsWorkloadGraph(node) || workloadGraph === undefined) return [];
  // A service node is drawn for the workloads its selector picks; its `app` is that selector's app.
  const app = node.kind === 'service' ? node.app : (node.app ?? node.name);
  if (app === undefined) return [];
  return workloadGraph.nodes
    .filter(
      (w) =>
        w.kind === 'workload' &&
        w.namespace === node.namespace &&
        w.app === app &&
        (node.kind !== 'versionedApp' || w.version === node.version),
    )
    .map((w) => ({ namespace: w.namespace, workload: w.workload ?? w.name }));
}

const has = (refs: readonly WorkloadRef[], namespace: string, workload: string) =>
  refs.some((r) => r.namespace === namespace && r.workload === workload);

export function sidecarsOf(
  refs: readonly WorkloadRef[],
  sidecars: readonly SidecarStatus[],
): SidecarStatus[] {
  return sidecars.filter((s) => has(refs, s.namespace, s.workload));
}

/** Weighted routes whose source is one of the workloads: the node's outgoing traffic splits. */
export function routesFrom(refs: readonly WorkloadRef[], routes: readonly WeightedRoute[]): WeightedRoute[] {
  return routes.filter((r) => has(refs, r.source.namespace, r.source.workload));
}
