import { describe, expect, it } from 'vitest';
import {
  type RankedEdge,
  type RankedNode,
  rankedLayout,
  ranks,
} from '../../../client/src/graph/ranked-layout.ts';

// One column per rank (a tall aspect never wraps), so x / columnGap is the rank.
const GAP = { columnGap: 100, rankGap: 0, rowGap: 10, aspect: 0.001 };

function columnOf(pos: Map<string, { x: number }>, id: string): number {
  const p = pos.get(id);
  if (!p) throw new Error(`no position for ${id}`);
  return p.x / GAP.columnGap;
}

describe('ranks', () => {
  it('is the longest path from a source', () => {
    // 0 → 1 → 2 → 3 and a shortcut 0 → 3: 3 is at rank 3, not 1.
    const succ = [[1, 3], [2], [3], []];
    const pred = [[], [0], [1], [0, 2]];
    expect(ranks(succ, pred)).toEqual([0, 1, 2, 3]);
  });

  it('breaks cycles instead of looping, keeping sources first', () => {
    // 0 → 1 → 2 → 1 (a retry loop between 1 and 2).
    expect(ranks([[1], [2], [1]], [[], [0, 2], [1]])).toEqual([0, 1, 2]);
    // A cycle with no source at all still gets ranks 0..n-1 along it.
    const r = ranks([[1], [2], [0]], [[2], [0], [1]]);
    expect([...r].sort()).toEqual([0, 1, 2]);
  });

  it('handles long chains without recursion', () => {
    const n = 50_000;
    const succ = Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : []));
    const pred = Array.from({ length: n }, (_, i) => (i > 0 ? [i - 1] : []));
    expect(ranks(succ, pred)[n - 1]).toBe(n - 1);
  });
});

describe('rankedLayout', () => {
  const bookinfo: RankedNode[] = [
    { id: 'in', kind: 'inbound', namespace: 'b', app: 'productpage' },
    { id: 'pp', namespace: 'b', app: 'productpage', version: 'v1' },
    { id: 'details', namespace: 'b', app: 'details', version: 'v1' },
    { id: 'r3', namespace: 'b', app: 'reviews', version: 'v3' },
    { id: 'r1', namespace: 'b', app: 'reviews', version: 'v1' },
    { id: 'r10', namespace: 'b', app: 'reviews', version: 'v10' },
    { id: 'r2', namespace: 'b', app: 'reviews', version: 'v2' },
    { id: 'ratings', namespace: 'b', app: 'ratings', version: 'v1' },
  ];
  const calls: RankedEdge[] = [
    { source: 'in', target: 'pp' },
    { source: 'pp', target: 'details' },
    { source: 'pp', target: 'r1' },
    { source: 'pp', target: 'r2' },
    { source: 'pp', target: 'r3' },
    { source: 'r2', target: 'ratings' },
    { source: 'r3', target: 'ratings' },
  ];

  it('puts each node in the column of its rank, callers left of callees', () => {
    const pos = rankedLayout(bookinfo, calls, GAP);
    expect(pos.size).toBe(bookinfo.length);
    expect(columnOf(pos, 'in')).toBe(0);
    expect(columnOf(pos, 'pp')).toBe(1);
    expect(columnOf(pos, 'details')).toBe(2);
    expect(columnOf(pos, 'ratings')).toBe(3);
    for (const e of calls) expect(columnOf(pos, e.source)).toBeLessThan(columnOf(pos, e.target));
  });

  it('ranks the versions of an app together and stacks them in version order', () => {
    // r10 is called by nobody: alone it would be a source in column 0; with its app it sits in column 2.
    const pos = rankedLayout(bookinfo, calls, GAP);
    const versions = ['r1', 'r2', 'r3', 'r10'];
    expect(versions.map((id) => columnOf(pos, id))).toEqual([2, 2, 2, 2]);
    const ys = versions.map((id) => pos.get(id)!.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBe(GAP.rowGap);
  });

  it('never puts two nodes on one spot', () => {
    const pos = rankedLayout(bookinfo, calls, GAP);
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(bookinfo.length);
  });

  it('places a column in the order of its callers so chains stay straight', () => {
    // Two independent chains a → a2 and b → b2, sources in order b, a: each callee follows its caller's row.
    const nodes = [{ id: 'b' }, { id: 'a' }, { id: 'a2' }, { id: 'b2' }];
    const pos = rankedLayout(
      nodes,
      [
        { source: 'a', target: 'a2' },
        { source: 'b', target: 'b2' },
      ],
      GAP,
    );
    expect(pos.get('b2')!.y).toBe(pos.get('b')!.y);
    expect(pos.get('a2')!.y).toBe(pos.get('a')!.y);
  });

  it('ignores edges to nodes it was not given and survives cycles', () => {
    const pos = rankedLayout(
      [{ id: 'x' }, { id: 'y' }],
      [
        { source: 'x', target: 'y' },
        { source: 'y', target: 'x' },
        { source: 'y', target: 'ghost' },
      ],
      GAP,
    );
    expect(columnOf(pos, 'x')).not.toBe(columnOf(pos, 'y'));
  });

  it('wraps tall ranks into sub-columns towards the aspect asked for, ranks still left to right', () => {
    const nodes: RankedNode[] = [{ id: 'root' }];
    const edges: RankedEdge[] = [];
    for (let i = 0; i < 200; i++) {
      nodes.push({ id: `mid${i}` }, { id: `leaf${i}` });
      edges.push({ source: 'root', target: `mid${i}` }, { source: `mid${i}`, target: `leaf${i}` });
    }
    const pos = rankedLayout(nodes, edges, { columnGap: 100, rankGap: 50, rowGap: 50, aspect: 1.5 });
    const xs = [...pos.values()].map((p) => p.x);
    const ys = [...pos.values()].map((p) => p.y);
    const aspect = (Math.max(...xs) - Math.min(...xs) + 100) / (Math.max(...ys) - Math.min(...ys) + 50);
    expect(aspect).toBeGreaterThan(1);
    expect(aspect).toBeLessThan(2.25);
    const maxX = (prefix: string) =>
      Math.max(...[...pos].filter(([id]) => id.startsWith(prefix)).map(([, p]) => p.x));
    const minX = (prefix: string) =>
      Math.min(...[...pos].filter(([id]) => id.startsWith(prefix)).map(([, p]) => p.x));
    expect(maxX('root')).toBeLessThan(minX('mid'));
    expect(maxX('mid')).toBeLessThan(minX('leaf'));
    expect(new Set([...pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(nodes.length);
    // Each leaf is on its caller's row: the order from the callers survives the wrapping.
    for (let i = 0; i < 200; i++) expect(pos.get(`leaf${i}`)!.y).toBe(pos.get(`mid${i}`)!.y);
  });

  it('puts the versions of an app side by side when a rank wraps', () => {
    const nodes: RankedNode[] = [{ id: 'caller' }];
    const edges: RankedEdge[] = [];
    for (let a = 0; a < 30; a++)
      for (const v of ['v1', 'v2']) {
        nodes.push({ id: `app${a}-${v}`, namespace: 'ns', app: `app${a}`, version: v });
        edges.push({ source: 'caller', target: `app${a}-${v}` });
      }
    const pos = rankedLayout(nodes, edges, { columnGap: 100, rankGap: 50, rowGap: 50, aspect: 2 });
    const sameRow = Array.from(
      { length: 30 },
      (_, a) => pos.get(`app${a}-v1`)!.y === pos.get(`app${a}-v2`)!.y,
    );
    expect(sameRow.every(Boolean)).toBe(true);
  });

  it('lays out 1,000 nodes and 3,000 edges quickly', () => {
    const nodes: RankedNode[] = [];
    const edges: RankedEdge[] = [];
    for (let i = 0; i < 1000; i++)
      nodes.push({ id: `n${i}`, namespace: 'ns', app: `app${Math.floor(i / 2)}`, version: `v${i % 2}` });
    for (let i = 0; i < 3000; i++) {
      const a = (i * 7919) % 1000;
      const b = (i * 104729 + 13) % 1000;
      if (a !== b) edges.push({ source: `n${Math.min(a, b)}`, target: `n${Math.max(a, b)}` });
    }
    const t0 = performance.now();
    const pos = rankedLayout(nodes, edges);
    expect(pos.size).toBe(1000);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
