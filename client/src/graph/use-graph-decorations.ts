// Everything the page derives from the graph and its controls before drawing: find/hide predicates
// (and their errors), stale nodes from the sidecars' scrape status, and the decorated elements.
import { useMemo } from 'react';
import type { Graph } from '../../../shared/api/graph.ts';
import { useAlerts } from '../api/alerts-client.ts';
import { useGraph } from '../api/graph-client.ts';
import { useSidecars } from '../api/sidecars-client.ts';
import { alertMarks } from './alert-marks.ts';
import { decorate } from './decorate.ts';
import { formatParseError, parseExpression, toPredicate } from './find-hide.ts';
import { staleNodeIds, staleWorkloads } from './stale-nodes.ts';
import type { GraphUrlState } from './url-state.ts';

function compile(text: string) {
  const r = parseExpression(text);
  return r.ok
    ? { predicate: toPredicate(r.expr), error: undefined }
    : { predicate: undefined, error: formatParseError(r) };
}

export function useGraphDecorations(graph: Graph | undefined, state: GraphUrlState) {
  const sidecars = useSidecars();
  const down = useMemo(() => (sidecars.data?.sidecars ?? []).filter((s) => !s.up), [sidecars.data]);
  const alerts = useAlerts();
  const firing = useMemo(
    () => (alerts.data?.alerts ?? []).filter((a) => a.state === 'firing'),
    [alerts.data],
  );
  // Only when a sidecar is down or an alert fires, and only for graph types whose nodes do not name
  // their workloads.
  const workloadGraph = useGraph(
    { graphType: 'workload', namespaces: state.namespaces, window: state.window },
    {
      enabled:
        (down.length > 0 || firing.length > 0) && graph !== undefined && graph.graphType !== 'workload',
    },
  );
  const marks = useMemo(
    () =>
      graph === undefined || firing.length === 0 ? undefined : alertMarks(firing, graph, workloadGraph.data),
    [graph, firing, workloadGraph.data],
  );
  const find = useMemo(() => compile(state.find), [state.find]);
  const hide = useMemo(() => compile(state.hide), [state.hide]);
  const staleIds = useMemo(
    () => (graph === undefined ? [] : [...staleNodeIds(graph, staleWorkloads(down, workloadGraph.data))]),
    [graph, down, workloadGraph.data],
  );
  // By content: the sidecar list is refetched every few seconds, mostly unchanged.
  const staleKey = staleIds.join('\n');
  const staleSet = useMemo(() => new Set(staleKey === '' ? [] : staleKey.split('\n')), [staleKey]);
  const elements = useMemo(
    () =>
      graph === undefined
        ? []
        : decorate(graph, {
            edgeLabel: state.edgeLabel,
            staleNodes: staleSet,
            find: find.predicate,
            hide: hide.predicate,
            hideIdle: state.hideIdle,
            ...(marks !== undefined && { alerts: marks }),
          }),
    [graph, state.edgeLabel, staleSet, find, hide, state.hideIdle, marks],
  );
  return {
    elements,
    findError: find.error,
    hideError: hide.error,
    sidecars,
    staleSidecars: down,
    staleNodes: staleSet.size,
  };
}
