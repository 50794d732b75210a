// How the panel names a node and which identity facts it lists, by node kind.
import type { GraphNode, NodeKind } from '../../../shared/api/graph.ts';

const KIND: Record<NodeKind, string> = {
  workload: 'Workload',
  app: 'App',
  versionedApp: 'App version',
  service: 'Service',
  unknown: 'Unknown destination',
  inbound: 'Inbound (unknown callers)',
};

export function kindLabel(kind: NodeKind): string {
  return KIND[kind];
}

/** `reviews v2`, `backend-v1`, `reviews.bookinfo` style: short enough for a heading or an edge end. */
export function nodeTitle(node: GraphNode): string {
  if (node.kind === 'versionedApp' && node.version !== undefined) return `${node.name} ${node.version}`;
  if (node.kind === 'inbound') return `→ ${node.name}`;
  return node.name;
}

export function identityRows(node: GraphNode): [string, string][] {
  const rows: [string, string][] = [
    ['Kind', kindLabel(node.kind)],
    ['Namespace', node.namespace],
  ];
  if (node.app !== undefined) rows.push(['App', node.app]);
  if (node.version !== undefined) rows.push(['Version', node.version]);
  if (node.workload !== undefined) rows.push(['Workload', node.workload]);
  if (node.service !== undefined) rows.push(['Service', node.service]);
  rows.push(['Sidecar', node.hasSidecar ? 'yes' : 'no']);
  return rows;
}
