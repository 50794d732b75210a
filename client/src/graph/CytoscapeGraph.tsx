// The single owner of the `cy` instance: created on mount, destroyed on unmount, and in between only
// ever updated in place. Each new set of elements is diffed into it (sync-elements.ts); the layout
// runs once, on the first non-empty graph, and again only when the user asks (`layoutRun`). New nodes
// from live updates are placed beside their neighbours; zoom and pan are the user's.
import cytoscape, { type Core, type ElementDefinition, type EventObject } from 'cytoscape';
import { useEffect, useRef } from 'react';
import { GRAPH_KEYS_HELP, handleGraphKey } from './graph-keys.ts';
import type { LayoutName } from './layout-names.ts';
import { runLayout } from './run-layout.ts';
import { graphStylesheet } from './styles.ts';
import { placeAddedNodes, syncElements } from './sync-elements.ts';
import type { Selection } from './url-state.ts';

declare global {
  interface Window {
    /** The live Cytoscape instance, for end-to-end tests that assert on the graph model. */
    __meshscope?: { cy: Core };
  }
}

export interface CytoscapeGraphProps {
  elements: ElementDefinition[];
  layout: LayoutName;
  /** Bumped by the page when the user asks for a re-layout. */
  layoutRun: number;
  selected: Selection | undefined;
  onSelect: (s: Selection | undefined) => void;
  /** Hands the instance to the page (export, fit); undefined once destroyed. */
  onCy?: (cy: Core | undefined) => void;
  label?: string;
}

function applySelection(cy: Core, selected: Selection | undefined): void {
  const want = selected ? cy.getElementById(selected.id) : cy.collection();
  const current = cy.$(':selected');
  if (current.same(want)) return;
  current.unselect();
  want.select();
}

export function CytoscapeGraph(props: CytoscapeGraphProps) {
  const { elements, layout, layoutRun, selected } = props;
  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | undefined>(undefined);
  const laidOut = useRef(false);
  const lastRun = useRef(layoutRun);
  const callbacks = useRef(props);
  useEffect(() => {
    callbacks.current = props;
  });

  useEffect(() => {
    const cy = cytoscape({
      container: container.current,
      style: graphStylesheet,
      minZoom: 0.05,
      maxZoom: 4,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    cyRef.current = cy;
    laidOut.current = false;
    window.__meshscope = { cy };
    cy.on('tap', (ev: EventObject) => {
      const t = ev.target as Core | cytoscape.SingularElementArgument;
      if (t === cy) callbacks.current.onSelect(undefined);
      else {
        const el = t as cytoscape.SingularElementArgument;
        callbacks.current.onSelect({ id: el.id(), kind: el.isNode() ? 'node' : 'edge' });
      }
    });
    const resize = new ResizeObserver(() => cy.resize());
    if (container.current) resize.observe(container.current);
    callbacks.current.onCy?.(cy);
    return () => {
      resize.disconnect();
      callbacks.current.onCy?.(undefined);
      if (window.__meshscope?.cy === cy) window.__meshscope = undefined;
      cyRef.current = undefined;
      cy.destroy();
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const result = syncElements(cy, elements);
    // The selection may name an element that only now arrived (a deep link opened before the data).
    applySelection(cy, callbacks.current.selected);
    if (laidOut.current) placeAddedNodes(cy, result.addedNodes);
    else if (cy.nodes().length > 0) {
      laidOut.current = true;
      // The UI benchmark (bench/ui) times data-to-first-frame up to this mark.
      cy.one('render', () => performance.mark('meshscope:first-render'));
      void runLayout(cy, callbacks.current.layout);
    }
  }, [elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || layoutRun === lastRun.current) return;
    lastRun.current = layoutRun;
    if (cy.nodes().length > 0) void runLayout(cy, layout);
  }, [layoutRun, layout]);

  useEffect(() => {
    if (cyRef.current) applySelection(cyRef.current, selected);
  }, [selected]);

  return (
    <div
      ref={container}
      className="graph-canvas"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a widget of its own (role application) that takes the arrow keys (graph-keys.ts)
      tabIndex={0}
      role="application"
      aria-roledescription="graph"
      aria-label={`${props.label ?? 'Service graph'}. ${GRAPH_KEYS_HELP}`}
      data-testid="graph-canvas"
      onKeyDown={(e) => {
        const cy = cyRef.current;
        if (
          cy &&
          !e.altKey &&
          !e.ctrlKey &&
          !e.metaKey &&
          handleGraphKey(cy, e.key, callbacks.current.onSelect)
        )
          e.preventDefault();
      }}
    />
  );
}
