// Registers the layout extensions once (STYLE.md point 3) and runs a named layout on a `cy`. ELK
// (elkjs, ~1.5 MB) is loaded the first time someone asks for it, so the page does not pay for it up
// front; dagre is small and the default below 200 nodes, so it is registered eagerly.
import cytoscape, { type Core } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import type { LayoutName } from './layout-names.ts';
import { layoutOptions, resolveLayout } from './layouts.ts';

cytoscape.use(dagre);

let elk: Promise<void> | undefined;

function loadElk(): Promise<void> {
  elk ??= import('cytoscape-elk').then((m) => {
    cytoscape.use(m.default);
  });
  return elk;
}

/** Resolves once the layout has placed every node (ELK computes asynchronously). */
export async function runLayout(cy: Core, name: LayoutName): Promise<void> {
  if (resolveLayout(name, cy.nodes().length) === 'elk') await loadElk();
  if (cy.destroyed()) return;
  const layout = cy.layout(layoutOptions(name, cy));
  const done = layout.promiseOn('layoutstop');
  layout.run();
  await done;
}
