// The Cytoscape owner's update path, on a headless `cy` (no DOM): live updates change data and
// classes in place, add and remove elements, and never move a node that was already there.
import cytoscape, { type Core } from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { decorate } from '../../../client/src/graph/decorate.ts';
import { layoutOptions, resolveLayout } from '../../../client/src/graph/layouts.ts';
import { placeAddedNodes, syncElements } from '../../../client/src/graph/sync-elements.ts';
import { edge, graph, node, traffic } from './graph-fixture.ts';

const A = 'versionedApp:ns:a:v1';
const B = 'versionedApp:ns:b:v1';
const C = 'versionedApp:ns:c:v1';

function headless(): Core {
  return cytoscape({ headless: true, styleEnabled: false });
}

const positions = (cy: Core) => Object.fromEntries(cy.nodes().map((n) => [n.id(), { ...n.position() }]));

describe('syncElements', () => {
  it('adds everything on first sync, then only updates what changed', () => {
    const cy = headless();
    const g1 = graph([node(A), node(B)], [edge(A, B, { traffic: traffic(1) })]);
    const first = syncElements(cy, decorate(g1, { edgeLabel: 'rps' }));
    expect(first.addedNodes).toEqual([A, B]);
    expect(cy.elements().length).toBe(3);

    cy.getElementById(A).position({ x: 10, y: 20 });
    cy.getElementById(B).position({ x: 300, y: 20 });
    cy.zoom(2);
    cy.pan({ x: 33, y: 44 });
    const same = syncElements(cy, decorate(g1, { edgeLabel: 'rps' }));
    expect(same).toEqual({ addedNodes: [], removed: 0, updated: 0 });

    const g2 = graph(
      [node(A), node(B, { health: 'failing' })],
      [edge(A, B, { traffic: traffic(50), health: 'failing' })],
    );
    const second = syncElements(cy, decorate(g2, { edgeLabel: 'rps' }));
    expect(second).toEqual({ addedNodes: [], removed: 0, updated: 2 });
    expect(cy.getElementById(`${A},${B}`).data('label')).toBe('50.0 rps');
    expect(cy.getElementById(B).data('health')).toBe('failing');
    expect(positions(cy)).toEqual({ [A]: { x: 10, y: 20 }, [B]: { x: 300, y: 20 } });
    expect(cy.zoom()).toBe(2);
    expect(cy.pan()).toEqual({ x: 33, y: 44 });
  });

  it('switches classes for find and hide without removing elements', () => {
    const cy = headless();
    const g = graph([node(A), node(B)], [edge(A, B)]);
    syncElements(cy, decorate(g, { edgeLabel: 'rps' }));
    syncElements(cy, decorate(g, { edgeLabel: 'rps', hideIdle: true }));
    expect(cy.elements().length).toBe(3);
    expect(cy.elements('.hidden').length).toBe(3);
    syncElements(cy, decorate(g, { edgeLabel: 'rps' }));
    expect(cy.elements('.hidden').length).toBe(0);
  });

  it('removes vanished elements and places new nodes beside their callers without moving the rest', () => {
    const cy = headless();
    syncElements(cy, decorate(graph([node(A), node(B)], [edge(A, B)]), { edgeLabel: 'rps' }));
    cy.getElementById(A).position({ x: 0, y: 0 });
    cy.getElementById(B).position({ x: 240, y: 0 });
    const before = positions(cy);
    const r = syncElements(cy, decorate(graph([node(A), node(C)], [edge(A, C)]), { edgeLabel: 'rps' }));
    expect(r.removed).toBe(2); // B and A→B
    expect(r.addedNodes).toEqual([C]);
    placeAddedNodes(cy, r.addedNodes);
    expect(cy.getElementById(A).position()).toEqual(before[A]);
    // B's spot is free again, so C takes it: to the right of its caller A.
    expect(cy.getElementById(C).position()).toEqual({ x: 240, y: 0 });
    expect(cy.edges().map((e) => e.id())).toEqual([`${A},${C}`]);
  });
});

describe('layouts', () => {
  it('uses dagre up to 200 nodes and the ranked columns above, unless one is asked for', () => {
    expect(resolveLayout('auto', 200)).toBe('dagre');
    expect(resolveLayout('auto', 201)).toBe('ranked');
    expect(resolveLayout('elk', 5000)).toBe('elk');
    expect(resolveLayout('no-such-layout', 10)).toBe('dagre');
    expect(resolveLayout('constructor', 10)).toBe('dagre');
  });

  it('turns the ranked layout into preset positions from the nodes in cy', () => {
    const cy = headless();
    syncElements(
      cy,
      decorate(graph([node(A), node(B), node(C)], [edge(A, B), edge(B, C)]), { edgeLabel: 'rps' }),
    );
    const opts = layoutOptions('ranked', cy);
    expect(opts.name).toBe('preset');
    cy.layout(opts).run();
    const xs = [A, B, C].map((id) => cy.getElementById(id).position().x);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
  });
});
