// Which nodes and edges of the graph on screen carry a firing alert. Alerts name the reporting
// workload and, when the condition is on traffic, its workload-graph edge (`source,target` of
// `workload:<ns>:<name>` ids); on other graph types a workload maps onto its app, versioned-app or
// Service node the way stale nodes do (stale-nodes.ts), through the workload graph's app/version labels.
import type { Alert, AlertLabels, Severity } from '../../../shared/api/alerts.ts';
import type { Graph } from '../../../shared/api/graph.ts';
import { type StaleWorkload, staleNodeIds } from './stale-nodes.ts';

export interface AlertMarks {
  nodes: ReadonlyMap<string, Severity>;
  edges: ReadonlyMap<string, Severity>;
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

function worst(map: Map<string, Severity>, id: string, s: Severity): void {
  const had = map.get(id);
  if (had === undefined || RANK[s] < RANK[had]) map.set(id, s);
}

/** `workload:<ns>:<name>` (graph-ids.ts escapes with `~XX`) → namespace and name. */
export function workloadOfNodeId(id: string): { namespace: string; workload: string } | undefined {
  const parts = id.split(':');
  if (parts.length !== 3 || parts[0] !== 'workload') return undefined;
  const unescapePart = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/~/g, '%'));
    } catch {
      return s;
    }
  };
  return { namespace: unescapePart(parts[1]!), workload: unescapePart(parts[2]!) };
}

export function alertMarks(alerts: readonly Alert[], graph: Graph, workloadGraph?: Graph): AlertMarks {
  const nodes = new Map<string, Severity>();
  const edges = new Map<string, Severity>();
  const labels = new Map<string, { app?: string; version?: string }>();
  for (const n of workloadGraph?.nodes ?? (graph.graphType === 'workload' ? graph.nodes : [])) {
    if (n.kind === 'workload' && n.workload !== undefined) {
      labels.set(`${n.namespace}/${n.workload}`, {
        ...(n.app !== undefined && { app: n.app }),
        ...(n.version !== undefined && { version: n.version }),
      });
    }
  }
  const nodesOf = (w: { namespace: string; workload: string }): Set<string> => {
    const l = labels.get(`${w.namespace}/${w.workload}`);
    const stale: StaleWorkload = { ...w, app: l?.app, version: l?.version };
    return staleNodeIds(graph, [stale]);
  };
  for (const a of alerts) {
    if (a.state !== 'firing') continue;
    const s = a.labels.severity;
    const edge = a.labels.edge;
    if (edge !== undefined) {
      if (graph.graphType === 'workload') {
        if (graph.edges.some((e) => e.id === edge)) edges.set(edge, s);
      }
      const [src, dst] = edge.split(',');
      const from = src === undefined ? undefined : workloadOfNodeId(src);
      const to = dst === undefined ? undefined : workloadOfNodeId(dst);
      if (from !== undefined && to !== undefined) {
        const sources = nodesOf(from);
        const targets = nodesOf(to);
        for (const e of graph.edges)
          if (sources.has(e.source) && targets.has(e.target)) worst(edges, e.id, s);
        for (const id of targets) worst(nodes, id, s);
      }
      continue;
    }
    if (a.labels.workload !== undefined) {
      for (const id of nodesOf({ namespace: a.labels.namespace, workload: a.labels.workload }))
        worst(nodes, id, s);
    }
  }
  return { nodes, edges };
}

/** Where an alert is on the graph: its edge on the workload graph, else its workload's node. */
export function alertGraphLink(a: { labels: AlertLabels }): string | undefined {
  const p = new URLSearchParams({ type: 'workload' });
  if (a.labels.edge !== undefined) p.set('edge', a.labels.edge);
  else if (a.labels.workload !== undefined) {
    const esc = (s: string) =>
      s.replace(/[^A-Za-z0-9._-]/gu, (ch) =>
        [...new TextEncoder().encode(ch)]
          .map((b) => `~${b.toString(16).toUpperCase().padStart(2, '0')}`)
          .join(''),
      );
    p.set('node', `workload:${esc(a.labels.namespace)}:${esc(a.labels.workload)}`);
  } else return undefined;
  return `#/graph?${p.toString().replace(/\+/g, '%20')}`;
}
