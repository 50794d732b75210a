// Finders over a built graph, failing loudly with the ids present when something is missing.
import type { Graph, GraphEdge, GraphNode } from '../../../shared/api/graph.ts';

export function nodeOf(graph: Graph, id: string): GraphNode {
  const n = graph.nodes.find((x) => x.id === id);
  if (n === undefined) throw new Error(`no node ${id}; nodes: ${graph.nodes.map((x) => x.id).join(' ')}`);
  return n;
}

export function edgeOf(graph: Graph, source: string, target: string): GraphEdge {
  const e = graph.edges.find((x) => x.source === source && x.target === target);
  if (e === undefined) {
    throw new Error(`no edge ${source} -> ${target}; edges: ${graph.edges.map((x) => x.id).join(' ')}`);
  }
  return e;
}

/** `source -> target` for every edge, sorted: the graph's shape at a glance. */
export function shape(graph: Graph): string[] {
  return graph.edges.map((e) => `${e.source} -> ${e.target}`).sort();
}
