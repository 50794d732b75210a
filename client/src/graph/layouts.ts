// Layouts as a dictionary with a fallback. Measured here (NOTES.md, "Cytoscape layouts"): dagre draws
// call chains most clearly but takes 0.7 s at 200 nodes and > 10 s at 500, so larger graphs get the
// ranked columns (ranked-layout.ts, linear time) as a preset; ELK with its fast settings is a
// re-layout the user asks for; grid and concentric ignore call direction and are there on request.
import type { Core, LayoutOptions } from 'cytoscape';
import type { LayoutName } from './layout-names.ts';
import { rankedLayout } from './ranked-layout.ts';

/** Above this many nodes the automatic layout is the ranked one. */
export const DAGRE_MAX_NODES = 200;

const PADDING = 30;

type LayoutFactory = (cy: Core) => LayoutOptions;

function ranked(cy: Core): LayoutOptions {
  const nodes = cy.nodes().map((n) => ({
    id: n.id(),
    namespace: n.data('namespace') as string,
    app: (n.data('app') as string) || undefined,
    version: (n.data('version') as string) || undefined,
    kind: n.data('kind') as string,
  }));
  const edges = cy
    .edges()
    .map((e) => ({ source: e.data('source') as string, target: e.data('target') as string }));
  const positions = Object.fromEntries(rankedLayout(nodes, edges));
  return { name: 'preset', positions, fit: true, padding: PADDING, animate: false };
}

// cytoscape-dagre and cytoscape-elk options are their own (typed as BaseLayoutOptions by cytoscape).
const dagre: LayoutFactory = () =>
  ({
    name: 'dagre',
    rankDir: 'LR',
    nodeSep: 30,
    rankSep: 120,
    fit: true,
    padding: PADDING,
    animate: false,
  }) as LayoutOptions;

const LAYOUTS: Record<Exclude<LayoutName, 'auto'>, LayoutFactory> = {
  dagre,
  ranked,
  elk: () =>
    ({
      name: 'elk',
      fit: true,
      padding: PADDING,
      animate: false,
      nodeDimensionsIncludeLabels: true,
      // The fast settings measured in NOTES.md: 1,340 ms at 500 nodes instead of 1,800.
      elk: {
        algorithm: 'layered',
        'elk.direction': 'RIGHT',
        'elk.layered.thoroughness': 1,
        'elk.edgeRouting': 'POLYLINE',
        'elk.layered.nodePlacement.strategy': 'SIMPLE',
        'elk.spacing.nodeNode': 30,
        'elk.layered.spacing.nodeNodeBetweenLayers': 80,
      },
    }) as LayoutOptions,
  grid: () => ({ name: 'grid', fit: true, padding: PADDING, avoidOverlap: true, animate: false }),
  concentric: () => ({ name: 'concentric', fit: true, padding: PADDING, minNodeSpacing: 30, animate: false }),
};

/** The layout actually run for a name: `auto` (or anything unknown) picks by graph size. */
export function resolveLayout(name: string, nodeCount: number): Exclude<LayoutName, 'auto'> {
  if (Object.hasOwn(LAYOUTS, name)) return name as Exclude<LayoutName, 'auto'>;
  return nodeCount > DAGRE_MAX_NODES ? 'ranked' : 'dagre';
}

export function layoutOptions(name: string, cy: Core): LayoutOptions {
  return LAYOUTS[resolveLayout(name, cy.nodes().length)](cy);
}
