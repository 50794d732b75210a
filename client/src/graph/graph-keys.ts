// Keyboard use of the graph canvas (focus it with Tab): arrows pan, + and − zoom about the centre,
// 0 fits the graph, n / p select the next / previous visible node in reading order (top to bottom,
// left to right) and bring it into view, Escape clears the selection.
import type { Core, NodeSingular } from 'cytoscape';
import type { Selection } from './url-state.ts';

export const GRAPH_KEYS_HELP =
  'Arrow keys pan, + and − zoom, 0 fits the graph, n and p select the next and previous node, Escape clears the selection.';

const PAN_STEP = 60;
const ZOOM_STEP = 1.25;

function readingOrder(cy: Core): NodeSingular[] {
  return cy
    .nodes(':visible')
    .toArray()
    .map((n) => n as NodeSingular)
    .sort((a, b) => a.position('y') - b.position('y') || a.position('x') - b.position('x'));
}

/** Handles one key; true when the key was the graph's (the caller then prevents the default). */
export function handleGraphKey(cy: Core, key: string, onSelect: (s: Selection | undefined) => void): boolean {
  const centre = { x: cy.width() / 2, y: cy.height() / 2 };
  switch (key) {
    case 'ArrowLeft':
      cy.panBy({ x: PAN_STEP, y: 0 });
      return true;
    case 'ArrowRight':
      cy.panBy({ x: -PAN_STEP, y: 0 });
      return true;
    case 'ArrowUp':
      cy.panBy({ x: 0, y: PAN_STEP });
      return true;
    case 'ArrowDown':
      cy.panBy({ x: 0, y: -PAN_STEP });
      return true;
    case '+':
    case '=':
      cy.zoom({ level: cy.zoom() * ZOOM_STEP, renderedPosition: centre });
      return true;
    case '-':
      cy.zoom({ level: cy.zoom() / ZOOM_STEP, renderedPosition: centre });
      return true;
    case '0':
      cy.fit(undefined, 30);
      return true;
    case 'Escape':
      onSelect(undefined);
      return true;
    case 'n':
    case 'p': {
      const order = readingOrder(cy);
      if (order.length === 0) return true;
      const at = order.findIndex((n) => n.selected());
      const next =
        at < 0
          ? key === 'n'
            ? 0
            : order.length - 1
          : (at + (key === 'n' ? 1 : -1) + order.length) % order.length;
      const node = order[next]!;
      onSelect({ id: node.id(), kind: 'node' });
      cy.center(node);
      return true;
    }
    default:
      return false;
  }
}
