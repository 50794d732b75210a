import { describe, expect, it } from 'vitest';
import { placeNewNodes } from '../../../client/src/graph/place-new-nodes.ts';
import type { Position } from '../../../client/src/graph/ranked-layout.ts';

const OPTS = { dx: 200, dy: 80, clearance: 60 };

function overlaps(all: Position[]): boolean {
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++)
      if (
        Math.abs(all[i]!.x - all[j]!.x) < OPTS.clearance &&
        Math.abs(all[i]!.y - all[j]!.y) < OPTS.clearance
      )
        return true;
  return false;
}

describe('placeNewNodes', () => {
  const placed = new Map<string, Position>([
    ['pp', { x: 0, y: 0 }],
    ['r1', { x: 200, y: -80 }],
    ['r2', { x: 200, y: 0 }],
  ]);

  it('puts a new callee to the right of its caller, at the nearest free spot in that column', () => {
    const out = placeNewNodes(placed, ['r3'], [{ source: 'pp', target: 'r3' }], OPTS);
    // (200, 0) and (200, -80) are taken: the next free spot below is (200, 80).
    expect(out.get('r3')).toEqual({ x: 200, y: 80 });
  });

  it('puts a node at its callers mean row when that spot is free', () => {
    const out = placeNewNodes(
      placed,
      ['ratings'],
      [
        { source: 'r1', target: 'ratings' },
        { source: 'r2', target: 'ratings' },
      ],
      OPTS,
    );
    expect(out.get('ratings')).toEqual({ x: 400, y: -40 });
  });

  it('puts a new caller to the left of what it calls', () => {
    const out = placeNewNodes(placed, ['gateway'], [{ source: 'gateway', target: 'pp' }], OPTS);
    expect(out.get('gateway')).toEqual({ x: -200, y: 0 });
  });

  it('grows a new chain from its placed end, and never returns positions for nodes already placed', () => {
    const out = placeNewNodes(
      placed,
      ['c', 'b', 'pp'],
      [
        { source: 'b', target: 'c' },
        { source: 'r2', target: 'b' },
      ],
      OPTS,
    );
    expect(out.has('pp')).toBe(false);
    expect(out.get('b')).toEqual({ x: 400, y: 0 });
    expect(out.get('c')).toEqual({ x: 600, y: 0 });
  });

  it('puts unconnected new nodes on a row below everything', () => {
    const out = placeNewNodes(placed, ['lonely1', 'lonely2'], [], OPTS);
    expect(out.get('lonely1')).toEqual({ x: 0, y: 160 });
    expect(out.get('lonely2')).toEqual({ x: 200, y: 160 });
  });

  it('places into an empty graph', () => {
    const out = placeNewNodes(new Map(), ['a', 'b'], [{ source: 'a', target: 'b' }], OPTS);
    expect(out.get('a')).toEqual({ x: 0, y: 0 });
    expect(out.get('b')).toEqual({ x: 200, y: 0 });
  });

  it('never overlaps anything when many nodes arrive at once', () => {
    const edges = Array.from({ length: 30 }, (_, i) => ({ source: 'pp', target: `new${i}` }));
    const out = placeNewNodes(
      placed,
      edges.map((e) => e.target),
      edges,
      OPTS,
    );
    expect(out.size).toBe(30);
    expect(overlaps([...placed.values(), ...out.values()])).toBe(false);
    for (const p of out.values()) expect(p.x).toBe(200);
  });
});
