// Which nodes show stale data: those drawn from a workload whose sidecar's last scrape failed
// (GET /api/sidecars: `up: false`). Their rates are the last ones scraped, so the graph marks them.
// A sidecar names its workload only; the workload graph (graphType=workload) says which app and
// version each workload is, which is how a workload maps onto app, versioned-app and service nodes
// (node-mapper.ts on the server draws them from the same labels).
import type { Graph, GraphNode } from '../../../shared/api/graph.ts';
import type { SidecarStatus } from '../../../shared/api/sidecars.ts';

export interface StaleWorkload {
  namespace: string;
  workload: string;
  app: string | undefined;
  version: string | undefined;
}

/** Workloads with at least one sidecar down, with their app/version from a workload graph when known. */
export function staleWorkloads(sidecars: readonly SidecarStatus[], workloadGraph?: Graph): StaleWorkload[] {
  const labels = new Map<string, GraphNode>();
  for (const n of workloadGraph?.nodes ?? [])
    if (n.kind === 'workload' && n.workload !== undefined) labels.set(`${n.namespace}/${n.workload}`, n);
  const seen = new Set<string>();
  const out: StaleWorkload[] = [];
  for (const s of sidecars) {
    const key = `${s.namespace}/${s.workload}`;
    if (s.up || seen.has(key)) continue;
    seen.add(key);
    const n = labels.get(key);
    out.push({ namespace: s.namespace, workload: s.workload, app: n?.app, version: n?.version });
  }
  return out;
}

function matches(n: GraphNode, w: StaleWorkload): boolean {
  if (n.namespace !== w.namespace) return false;
  switch (n.kind) {
    case 'workload':
      return n.workload === w.workload;
    case 'versionedApp':
      // Without labels, the usual naming (`reviews-v2` for app reviews, version v2) is the best guess.
      return w.app !== undefined
        ? n.app === w.app && n.version === w.version
        : w.workload === `${n.app}-${n.version}` || w.workload === n.app;
    case 'app':
    case 'service':
      return w.app !== undefined ? n.app === w.app : w.workload === n.app || w.workload === n.name;
    case 'unknown':
    case 'inbound':
      // Neither is drawn from a sidecar of its own.
      return false;
  }
}

export function staleNodeIds(graph: Graph, stale: readonly StaleWorkload[]): Set<string> {
  const ids = new Set<string>();
  if (stale.length === 0) return ids;
  for (const n of graph.nodes) if (stale.some((w) => matches(n, w))) ids.add(n.id);
  return ids;
}
