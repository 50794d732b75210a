// Small API graphs for the graph page's pure modules, built from the shared contract (and checked
// against its schema, so a fixture cannot drift from what the server sends).
import {
  emptyTraffic,
  type Graph,
  type GraphEdge,
  type GraphNode,
  GraphSchema,
  type Traffic,
} from '../../../shared/api/graph.ts';

export function traffic(
  rps: number,
  extra: { '5xx'?: number; rate503?: number; p95?: number } = {},
): Traffic {
  const t = emptyTraffic();
  t.rps = rps;
  t.status['5xx'] = extra['5xx'] ?? 0;
  t.status['2xx'] = rps - t.status['5xx'];
  t.rate503 = extra.rate503 ?? 0;
  t.latencyMs = extra.p95 === undefined ? null : { p50: extra.p95 / 2, p95: extra.p95, p99: extra.p95 * 1.5 };
  return t;
}

export function node(id: string, over: Partial<GraphNode> = {}): GraphNode {
  const [kind, namespace, name, version] = id.split(':') as [GraphNode['kind'], string, string, string?];
  return {
    id,
    kind,
    namespace,
    name,
    ...(kind === 'versionedApp' || kind === 'app' ? { app: name } : {}),
    ...(version !== undefined ? { version } : {}),
    hasSidecar: true,
    health: 'healthy',
    inbound: emptyTraffic(),
    outbound: emptyTraffic(),
    ...over,
  };
}

export function edge(source: string, target: string, over: Partial<GraphEdge> = {}): GraphEdge {
  return {
    id: `${source},${target}`,
    source,
    target,
    protocol: 'http',
    clusters: [],
    traffic: traffic(0),
    weights: [],
    health: 'healthy',
    ...over,
  };
}

export function graph(nodes: GraphNode[], edges: GraphEdge[], over: Partial<Graph> = {}): Graph {
  return GraphSchema.parse({
    timestamp: 1_700_000_000_000,
    windowSeconds: 60,
    graphType: 'versionedApp',
    namespaces: [...new Set(nodes.map((n) => n.namespace))].sort(),
    nodes,
    edges,
    ...over,
  });
}
