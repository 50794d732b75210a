// The layouts the graph page offers, by name (layouts.ts maps each to Cytoscape options).
export const LAYOUT_NAMES = ['auto', 'dagre', 'ranked', 'elk', 'grid', 'concentric'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

export const LAYOUT_LABELS: Record<LayoutName, string> = {
  auto: 'Automatic',
  dagre: 'Dagre (call chains)',
  ranked: 'Ranked columns (fast)',
  elk: 'ELK layered',
  grid: 'Grid',
  concentric: 'Concentric',
};
