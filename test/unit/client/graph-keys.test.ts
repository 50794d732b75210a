import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { handleGraphKey } from '../../../client/src/graph/graph-keys.ts';
import type { Selection } from '../../../client/src/graph/url-state.ts';

function graph() {
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    layout: { name: 'preset' },
    elements: [
      { data: { id: 'b' }, position: { x: 200, y: 0 } },
      { data: { id: 'a' }, position: { x: 0, y: 0 } },
      { data: { id: 'c' }, position: { x: 100, y: 100 } },
      { data: { id: 'hidden' }, position: { x: 50, y: 50 }, classes: 'hidden' },
    ],
    style: [{ selector: '.hidden', style: { display: 'none' } }],
  });
  const selections: (Selection | undefined)[] = [];
  const onSelect = (s: Selection | undefined) => {
    selections.push(s);
    cy.$(':selected').unselect();
    if (s) cy.getElementById(s.id).select();
  };
  return { cy, selections, onSelect };
}

describe('graph keys', () => {
  it('walks the visible nodes in reading order with n and p, wrapping around', () => {
    const { cy, selections, onSelect } = graph();
    for (const key of ['n', 'n', 'n', 'n', 'p']) expect(handleGraphKey(cy, key, onSelect)).toBe(true);
    expect(selections.map((s) => s?.id)).toEqual(['a', 'b', 'c', 'a', 'c']);
    expect(selections.every((s) => s?.kind === 'node')).toBe(true);
  });

  it('pans with the arrows, zooms with + and −, and clears the selection with Escape', () => {
    const { cy, selections, onSelect } = graph();
    const pan = { ...cy.pan() };
    handleGraphKey(cy, 'ArrowRight', onSelect);
    handleGraphKey(cy, 'ArrowDown', onSelect);
    expect(cy.pan()).toEqual({ x: pan.x - 60, y: pan.y - 60 });
    const zoom = cy.zoom();
    handleGraphKey(cy, '+', onSelect);
    expect(cy.zoom()).toBeCloseTo(zoom * 1.25);
    handleGraphKey(cy, '-', onSelect);
    expect(cy.zoom()).toBeCloseTo(zoom);
    handleGraphKey(cy, 'Escape', onSelect);
    expect(selections).toEqual([undefined]);
  });

  it('leaves other keys to the page', () => {
    const { cy, onSelect } = graph();
    expect(handleGraphKey(cy, 'Tab', onSelect)).toBe(false);
    expect(handleGraphKey(cy, 'x', onSelect)).toBe(false);
  });
});
