// The sidecars and weighted routes behind a node. App, versioned-app and service nodes need the
// workload graph to know their workloads (node-sidecars.ts); it is fetched under its own key below
// ['graph'], so weight changes (which invalidate ['graph']) refresh it too.
import { useQuery } from '@tanstack/react-query';
import { type GraphNode, GraphSchema } from '../../../shared/api/graph.ts';
import { fetchJson } from '../api/fetch-json.ts';
import { useRoutes } from '../api/routes-client.ts';
import { useSidecars } from '../api/sidecars-client.ts';
import { needsWorkloadGraph, routesFrom, sidecarsOf, workloadsOfNode } from './node-sidecars.ts';

export const workloadIndexKey = ['graph', 'workload-index'] as const;

export function useNodeContext(node: GraphNode) {
  const workloadGraph = useQuery({
    queryKey: workloadIndexKey,
    queryFn: () => fetchJson('/api/graph?graphType=workload', GraphSchema),
    enabled: needsWorkloadGraph(node),
    staleTime: 30_000,
  });
  const sidecars = useSidecars();
  const routes = useRoutes();
  const workloads = workloadsOfNode(node, workloadGraph.data);
  return {
    workloads,
    sidecars: sidecarsOf(workloads, sidecars.data?.sidecars ?? []),
    routes: routesFrom(workloads, routes.data?.routes ?? []),
    loading: (needsWorkloadGraph(node) && workloadGraph.isPending) || sidecars.isPending || routes.isPending,
  };
}
