// The live traffic graph: controls (kept in the URL), the Cytoscape view fed by the event stream, and
// the side panel for the selection. Data flows one way: API graph → decorate → CytoscapeGraph.
import type { Core } from 'cytoscape';
import { useCallback, useRef, useState } from 'react';
import { isClientError, useGraph, useLiveGraph } from '../api/graph-client.ts';
import { CytoscapeGraph } from '../graph/CytoscapeGraph.tsx';
import { downloadJson, downloadPng } from '../graph/download.ts';
import { GraphActions } from '../graph/GraphActions.tsx';
import { GraphControls } from '../graph/GraphControls.tsx';
import { GraphFilters } from '../graph/GraphFilters.tsx';
import { GraphBanners, graphPlaceholder, REJECTED_ID } from '../graph/GraphStates.tsx';
import type { LayoutName } from '../graph/layout-names.ts';
import { StreamStatus } from '../graph/StreamStatus.tsx';
import type { Selection } from '../graph/url-state.ts';
import { useGraphDecorations } from '../graph/use-graph-decorations.ts';
import { useGraphUrlState } from '../graph/use-graph-url-state.ts';
import { SidePanel } from '../panel/SidePanel.tsx';
import '../graph/graph.css';

export function GraphPage() {
  const [state, update] = useGraphUrlState();
  const [paused, setPaused] = useState(false);
  const [refreshMs, setRefreshMs] = useState(0);
  const [layoutRun, setLayoutRun] = useState(0);
  const cy = useRef<Core | undefined>(undefined);
  const params = { graphType: state.graphType, namespaces: state.namespaces, window: state.window };
  const { query, events } = useLiveGraph(params, paused, refreshMs);
  const graph = query.data;
  // With a namespace filter the graph lists only those: ask for the whole mesh's, now and then.
  const everything = useGraph(
    { ...params, namespaces: [] },
    { enabled: state.namespaces.length > 0, pollMs: 60_000 },
  );
  const namespaces = (state.namespaces.length > 0 ? everything.data : graph)?.namespaces ?? [];
  const view = useGraphDecorations(graph, state);

  const onSelect = useCallback((selected: Selection | undefined) => update({ selected }), [update]);
  const onCy = useCallback((instance: Core | undefined) => {
    cy.current = instance;
  }, []);
  const onLayout = (layout: LayoutName) => {
    update({ layout });
    setLayoutRun((n) => n + 1);
  };
  const placeholder = graphPlaceholder(query, view.sidecars.data?.sidecars.length);

  return (
    <section className="page graph-page" aria-labelledby="graph-title">
      <div className="graph-toolbar">
        <div className="toolbar-row">
          <h1 id="graph-title">Graph</h1>
          <GraphControls
            state={state}
            update={update}
            namespaces={namespaces}
            shownWindow={graph?.windowSeconds}
            rejectedBy={isClientError(query.error) ? REJECTED_ID : undefined}
          />
        </div>
        <div className="toolbar-row">
          <GraphFilters
            find={state.find}
            hide={state.hide}
            update={update}
            findError={view.findError}
            hideError={view.hideError}
          />
          <GraphActions
            refreshMs={refreshMs}
            onRefreshMs={setRefreshMs}
            paused={paused}
            onTogglePause={() => setPaused((p) => !p)}
            onRefresh={() => void query.refetch()}
            refreshing={query.isFetching}
            layout={state.layout}
            onLayout={onLayout}
            onFit={() => cy.current?.fit(undefined, 30)}
            onExportPng={() => cy.current && graph && downloadPng(cy.current, graph)}
            onExportJson={() => graph && downloadJson(graph)}
            disabled={placeholder !== undefined}
          />
          <StreamStatus events={events} dataAt={graph?.timestamp} />
        </div>
      </div>
      <GraphBanners query={query} staleSidecars={view.staleSidecars} staleNodes={view.staleNodes} />
      <div className="graph-body">
        {placeholder ?? (
          <CytoscapeGraph
            // Another graph type or namespace set is another graph: a fresh instance and layout.
            key={`${state.graphType}|${state.namespaces.join(',')}`}
            elements={view.elements}
            layout={state.layout}
            layoutRun={layoutRun}
            selected={state.selected}
            onSelect={onSelect}
            onCy={onCy}
            label={`${graph?.nodes.length ?? 0} nodes and ${graph?.edges.length ?? 0} edges; select one to inspect it`}
          />
        )}
        {graph && <SidePanel selection={state.selected} graph={graph} />}
      </div>
    </section>
  );
}
