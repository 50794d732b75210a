// The graph page's deep link: everything needed to reopen the same view lives in the query part of
// the hash (`#/graph?ns=bookinfo&type=app&label=share&find=rps%20%3E%205&edge=…`). Values the link
// does not carry, or carries garbled, fall back to the defaults rather than failing the page.
import { type GraphType, GraphTypeSchema } from '../../../shared/api/graph.ts';
import { EDGE_LABELS, type EdgeLabelMode } from './decorate.ts';
import { LAYOUT_NAMES, type LayoutName } from './layout-names.ts';

export interface Selection {
  id: string;
  kind: 'node' | 'edge';
}

export interface GraphUrlState {
  namespaces: string[];
  graphType: GraphType;
  /** Rate window in seconds; undefined is the server's default. */
  window: number | undefined;
  edgeLabel: EdgeLabelMode;
  layout: LayoutName;
  find: string;
  hide: string;
  hideIdle: boolean;
  selected: Selection | undefined;
}

export const DEFAULT_GRAPH_URL_STATE: GraphUrlState = {
  namespaces: [],
  graphType: 'versionedApp',
  window: undefined,
  edgeLabel: 'rps',
  layout: 'auto',
  find: '',
  hide: '',
  hideIdle: false,
  selected: undefined,
};

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Parses the part after `?` (with or without the `?`). */
export function parseGraphUrlState(query: string): GraphUrlState {
  const p = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const d = DEFAULT_GRAPH_URL_STATE;
  const type = GraphTypeSchema.safeParse(p.get('type'));
  const label = p.get('label');
  const layout = p.get('layout');
  const window = Number(p.get('window'));
  const node = p.get('node');
  const edge = p.get('edge');
  const namespaces = (p.get('ns') ?? '').split(',').filter((ns) => NAMESPACE.test(ns));
  return {
    namespaces: [...new Set(namespaces)].sort(),
    graphType: type.success ? type.data : d.graphType,
    window: Number.isInteger(window) && window > 0 ? window : d.window,
    edgeLabel: label !== null && Object.hasOwn(EDGE_LABELS, label) ? (label as EdgeLabelMode) : d.edgeLabel,
    layout:
      layout !== null && (LAYOUT_NAMES as readonly string[]).includes(layout)
        ? (layout as LayoutName)
        : d.layout,
    find: p.get('find') ?? d.find,
    hide: p.get('hide') ?? d.hide,
    hideIdle: p.get('idle') === 'hide',
    selected: node ? { id: node, kind: 'node' } : edge ? { id: edge, kind: 'edge' } : d.selected,
  };
}

/** The query string for a state, defaults left out so links stay short; `''` for the default view. */
export function serializeGraphUrlState(s: GraphUrlState): string {
  const d = DEFAULT_GRAPH_URL_STATE;
  const p = new URLSearchParams();
  if (s.namespaces.length > 0) p.set('ns', [...s.namespaces].sort().join(','));
  if (s.graphType !== d.graphType) p.set('type', s.graphType);
  if (s.window !== undefined) p.set('window', String(s.window));
  if (s.edgeLabel !== d.edgeLabel) p.set('label', s.edgeLabel);
  if (s.layout !== d.layout) p.set('layout', s.layout);
  if (s.find !== '') p.set('find', s.find);
  if (s.hide !== '') p.set('hide', s.hide);
  if (s.hideIdle) p.set('idle', 'hide');
  if (s.selected) p.set(s.selected.kind, s.selected.id);
  // URLSearchParams writes spaces as '+'; %20 reads the same and survives copy-paste into chat tools.
  return p.toString().replace(/\+/g, '%20');
}
