// Saving exports as files: an object URL on a temporary link, revoked once the click has been handled.
import type { Core } from 'cytoscape';
import type { Graph } from '../../../shared/api/graph.ts';

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function stamp(graph: Graph): string {
  return new Date(graph.timestamp).toISOString().replace(/[:.]/g, '-');
}

/** The whole graph (not just the viewport) at twice the screen resolution. */
export function downloadPng(cy: Core, graph: Graph): void {
  save(
    cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff' }),
    `meshscope-${graph.graphType}-${stamp(graph)}.png`,
  );
}

/** The API graph exactly as received, so it can be attached to a bug report or replayed. */
export function downloadJson(graph: Graph): void {
  save(
    new Blob([JSON.stringify(graph, null, 2)], { type: 'application/json' }),
    `meshscope-${graph.graphType}-${stamp(graph)}.json`,
  );
}
