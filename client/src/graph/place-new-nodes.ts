// Where a node that appears in a live update goes, without moving anything already on screen: to the
// right of its callers (or left of its callees), at the nearest free spot in that column; a node with
// no placed neighbour goes below everything. Losing positions on refresh is the most reported
// complaint about Kiali's graph, so existing positions are inputs only, never outputs.
import type { Position, RankedEdge } from './ranked-layout.ts';

export interface PlaceOptions {
  /** Horizontal distance from a caller (or callee). */
  dx?: number;
  /** Vertical step when looking for a free spot. */
  dy?: number;
  /** Two nodes closer than this (in both axes) overlap. */
  clearance?: number;
}

/** Positions bucketed in cells of `clearance`, so "is this spot free?" looks at 9 cells, not every node. */
class Occupancy {
  private readonly cells = new Map<string, Position[]>();
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
  }

  private key(cx: number, cy: number): string {
    return `${cx},${cy}`;
  }

  add(p: Position): void {
    const k = this.key(Math.floor(p.x / this.size), Math.floor(p.y / this.size));
    const list = this.cells.get(k);
    if (list) list.push(p);
    else this.cells.set(k, [p]);
  }

  free(p: Position): boolean {
    const cx = Math.floor(p.x / this.size);
    const cy = Math.floor(p.y / this.size);
    for (let i = -1; i <= 1; i++)
      for (let j = -1; j <= 1; j++)
        for (const q of this.cells.get(this.key(cx + i, cy + j)) ?? [])
          if (Math.abs(q.x - p.x) < this.size && Math.abs(q.y - p.y) < this.size) return false;
    return true;
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Positions for `newIds`, given the positions of the nodes already placed. New nodes whose only
 * neighbours are new too are placed after them (a new chain grows from its placed end).
 */
export function placeNewNodes(
  placed: ReadonlyMap<string, Position>,
  newIds: readonly string[],
  edges: readonly RankedEdge[],
  opts: PlaceOptions = {},
): Map<string, Position> {
  const dx = opts.dx ?? 240;
  const dy = opts.dy ?? 80;
  const clearance = opts.clearance ?? 60;
  const callers = new Map<string, string[]>();
  const callees = new Map<string, string[]>();
  for (const e of edges) {
    (callers.get(e.target) ?? callers.set(e.target, []).get(e.target)!).push(e.source);
    (callees.get(e.source) ?? callees.set(e.source, []).get(e.source)!).push(e.target);
  }
  const occupancy = new Occupancy(clearance);
  let minX = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const p of placed.values()) {
    occupancy.add(p);
    minX = Math.min(minX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  let rowX = Number.isFinite(minX) ? minX : 0;
  const rowY = Number.isFinite(maxY) ? maxY + 2 * dy : 0;
  const out = new Map<string, Position>();
  const where = (id: string) => placed.get(id) ?? out.get(id);

  const anchor = (id: string): Position | undefined => {
    const from = (callers.get(id) ?? []).map(where).filter((p) => p !== undefined);
    if (from.length > 0) return { x: Math.max(...from.map((p) => p.x)) + dx, y: mean(from.map((p) => p.y)) };
    const to = (callees.get(id) ?? []).map(where).filter((p) => p !== undefined);
    if (to.length > 0) return { x: Math.min(...to.map((p) => p.x)) - dx, y: mean(to.map((p) => p.y)) };
    return undefined;
  };
  const put = (id: string, a: Position) => {
    // Nearest free spot in the column: a, a+dy, a−dy, a+2dy, …
    for (let k = 0; ; k++) {
      const step = k % 2 === 0 ? k / 2 : -(k + 1) / 2;
      const p = { x: a.x, y: a.y + step * dy };
      if (occupancy.free(p)) {
        occupancy.add(p);
        out.set(id, p);
        return;
      }
    }
  };

  let pending = newIds.filter((id) => !placed.has(id));
  while (pending.length > 0) {
    const waiting: string[] = [];
    for (const id of pending) {
      const a = anchor(id);
      if (a) put(id, a);
      else waiting.push(id);
    }
    if (waiting.length === pending.length) {
      // Nothing placed can anchor the rest: one goes on a row below everything (left to right), and
      // chains resume from it on the next pass.
      put(waiting.shift()!, { x: rowX, y: rowY });
      rowX += dx;
    }
    pending = waiting;
  }
  return out;
}
