// The graph's stylesheet as data. Everything that varies per element (label, colour, width, shape)
// was derived by decorate.ts and is read here through data(); classes carry the states (stale, found,
// hidden, selected). Labels are culled when zoomed out (min-zoomed-font-size): measured in NOTES.md,
// edge and node labels are the largest share of a 1,000-node frame. Edge labels stay horizontal:
// autorotated labels made relabelling every edge (a live update) several times slower here, as each
// label's rotated box is recomputed.
import type { StylesheetJson } from 'cytoscape';

const ACCENT = '#0066cc';
const FOUND = '#8f4bd6';

export const graphStylesheet: StylesheetJson = [
  {
    selector: 'node',
    style: {
      shape: 'data(shape)' as 'ellipse',
      width: 36,
      height: 36,
      'background-color': '#ffffff',
      'border-width': 3,
      'border-color': 'data(colour)',
      label: 'data(label)',
      'font-size': 11,
      color: '#1f2933',
      'text-valign': 'bottom',
      'text-margin-y': 4,
      'text-wrap': 'wrap',
      'text-max-width': '140px',
      'text-background-color': '#f5f7fa',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'node[kind = "app"], node[kind = "versionedApp"]', style: { width: 44, height: 30 } },
  { selector: 'node[kind = "service"]', style: { width: 40, height: 36 } },
  { selector: 'node[kind = "unknown"]', style: { 'background-color': '#d2d2d2', 'border-color': '#8a8d90' } },
  {
    selector: 'node[kind = "inbound"]',
    style: {
      width: 16,
      height: 16,
      'background-color': '#d2d2d2',
      'border-width': 1,
      'border-color': '#8a8d90',
      color: '#52606d',
      'font-size': 9,
    },
  },
  // A node without a sidecar of its own (traffic is only seen from its callers) is drawn lighter.
  { selector: 'node.no-sidecar', style: { 'border-style': 'dotted' } },
  {
    selector: 'node.stale',
    style: {
      'border-style': 'dashed',
      'background-color': '#fff4d6',
      color: '#795600',
      'font-style': 'italic',
    },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': 'data(colour)',
      'target-arrow-color': 'data(colour)',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      'curve-style': 'bezier',
      label: 'data(label)',
      'font-size': 10,
      color: '#1f2933',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      'min-zoomed-font-size': 7,
    },
  },
  // Policies (policy-decoration.ts): a mirror edge carries the mirrored copies, drawn dashed; an open
  // breaker or ejected hosts turn the element's label (where its badge glyphs are) red.
  {
    selector: 'edge.mirror',
    style: {
      'line-style': 'dashed',
      'line-dash-pattern': [6, 4],
      'target-arrow-shape': 'vee',
      opacity: 0.85,
    },
  },
  {
    selector: '.badge-circuitBreakerOpen, .badge-ejected',
    style: { color: '#a30000', 'font-weight': 'bold' },
  },
  // A firing alert (alert-marks.ts): the element's label, where its ⚑ is, in the severity's colour.
  { selector: '.alerting', style: { 'font-weight': 'bold' } },
  { selector: '.alert-critical', style: { color: '#a30000' } },
  { selector: '.alert-warning', style: { color: '#795600' } },
  {
    selector: '.found',
    style: { 'underlay-color': FOUND, 'underlay-padding': 8, 'underlay-opacity': 0.35 },
  },
  {
    selector: ':selected',
    style: {
      'overlay-color': ACCENT,
      'overlay-padding': 6,
      'overlay-opacity': 0.2,
    },
  },
  { selector: 'node:selected', style: { 'border-width': 5 } },
  { selector: '.hidden', style: { display: 'none' } },
];
