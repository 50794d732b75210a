// A layout for graphs too large for dagre (NOTES.md: > 10 s at 500 nodes), computed in linear time
// from the call graph itself: each node's column is its rank, the longest call path from a source
// (cycles broken where a depth-first walk finds them), and the versions of an app share one rank
// and sit next to each other in their column, so a traffic shift reads as one stack of boxes.
// Within a column, groups follow the mean row of their callers (one left-to-right sweep), which
// keeps most call chains straight without the cost of crossing minimisation. A rank too tall for the
// screen's aspect wraps into sub-columns (rowsFor).

export interface RankedNode {
  id: string;
  namespace?: string;
  /** Versions of one (namespace, app) are ranked together; nodes without an app stand alone. */
  app?: string;
  version?: string;
  kind?: string;
}

export interface RankedEdge {
  source: string;
  target: string;
}

export interface Position {
  x: number;
  y: number;
}

export interface RankedLayoutOptions {
  /** Between the sub-columns of one rank. */
  columnGap?: number;
  /** Added between ranks, so ranks read apart from the sub-columns within one. */
  rankGap?: number;
  rowGap?: number;
  /** Width : height the layout aims for (a wide screen's). */
  aspect?: number;
}

function groupKey(n: RankedNode): string {
  // Inbound nodes carry their target's app but are its callers: never merge them into its group.
  return n.app && n.kind !== 'inbound' && n.kind !== 'unknown'
    ? `app\u0000${n.namespace ?? ''}\u0000${n.app}`
    : `id\u0000${n.id}`;
}

/** Group index → successor group indexes, without self-loops or duplicates. */
function groupGraph(nodes: readonly RankedNode[], edges: readonly RankedEdge[]) {
  const keyIndex = new Map<string, number>();
  const groupOf = new Map<string, number>();
  const members: RankedNode[][] = [];
  for (const n of nodes) {
    const k = groupKey(n);
    let g = keyIndex.get(k);
    if (g === undefined) {
      g = members.length;
      keyIndex.set(k, g);
      members.push([]);
    }
    members[g]!.push(n);
    groupOf.set(n.id, g);
  }
  const succ: number[][] = members.map(() => []);
  const pred: number[][] = members.map(() => []);
  const seen = new Set<string>();
  for (const e of edges) {
    const a = groupOf.get(e.source);
    const b = groupOf.get(e.target);
    if (a === undefined || b === undefined || a === b) continue;
    const key = `${a},${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    succ[a]!.push(b);
    pred[b]!.push(a);
  }
  return { members, groupOf, succ, pred };
}

/**
 * Ranks by longest path over the edges a depth-first walk does not find to close a cycle. The walk
 * is iterative (deep call chains must not overflow the stack); the finishing order reversed is a
 * topological order of the remaining acyclic graph, in which the longest paths are one pass.
 */
export function ranks(succ: readonly number[][], pred: readonly number[][]): number[] {
  const n = succ.length;
  const state = new Uint8Array(n); // 0 new, 1 on the walk's path, 2 done
  const finished: number[] = [];
  const back = new Set<number>(); // a * n + b for each edge a→b that closes a cycle
  // Start from sources first so cycles are broken at the edge leading back towards them.
  const starts: number[] = [];
  for (let v = 0; v < n; v++) if (pred[v]!.length === 0) starts.push(v);
  for (let v = 0; v < n; v++) if (pred[v]!.length > 0) starts.push(v);
  for (const start of starts) {
    if (state[start] !== 0) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [v, i] = top;
      const next = succ[v]![i];
      if (next === undefined) {
        state[v] = 2;
        finished.push(v);
        stack.pop();
        continue;
      }
      top[1] = i + 1;
      if (state[next] === 1) back.add(v * n + next);
      else if (state[next] === 0) {
        state[next] = 1;
        stack.push([next, 0]);
      }
    }
  }
  const rank = new Array<number>(n).fill(0);
  for (let k = finished.length - 1; k >= 0; k--) {
    const v = finished[k]!;
    for (const w of succ[v]!) if (!back.has(v * n + w) && rank[w]! < rank[v]! + 1) rank[w] = rank[v]! + 1;
  }
  return rank;
}

const byVersion = (a: RankedNode, b: RankedNode) =>
  (a.version ?? '').localeCompare(b.version ?? '', undefined, { numeric: true }) || a.id.localeCompare(b.id);

/**
 * Rows per rank that give the drawing the wanted aspect: a rank with more nodes than that is laid
 * out over several sub-columns, filled row by row (so the order from the callers is kept top to
 * bottom, and the versions of an app end up side by side). Without this, a 500-node mesh of 5 ranks
 * is 5 columns of 100 nodes: a sliver when fitted to a screen.
 */
function rowsFor(sizes: readonly number[], o: Required<RankedLayoutOptions>): number {
  const tallest = Math.max(1, ...sizes);
  let best = tallest;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let rows = 1; rows <= tallest; rows++) {
    let width = Math.max(0, sizes.length - 1) * o.rankGap;
    for (const n of sizes) width += Math.max(1, Math.ceil(n / rows)) * o.columnGap;
    const score = Math.abs(Math.log(width / (rows * o.rowGap) / o.aspect));
    if (score < bestScore) {
      bestScore = score;
      best = rows;
    }
  }
  return best;
}

export function rankedLayout(
  nodes: readonly RankedNode[],
  edges: readonly RankedEdge[],
  opts: RankedLayoutOptions = {},
): Map<string, Position> {
  const o: Required<RankedLayoutOptions> = { columnGap: 200, rankGap: 120, rowGap: 80, aspect: 1.6, ...opts };
  const { members, succ, pred } = groupGraph(nodes, edges);
  const rank = ranks(succ, pred);
  const rankCount = rank.reduce((m, r) => Math.max(m, r + 1), 0);
  const byRank: number[][] = Array.from({ length: rankCount }, () => []);
  for (let g = 0; g < members.length; g++) byRank[rank[g]!]!.push(g);
  const sizes = byRank.map((groups) => groups.reduce((s, g) => s + members[g]!.length, 0));
  const maxRows = rowsFor(sizes, o);

  // Mean y of each group, set rank by rank so callers are placed before their callees.
  const groupY = new Float64Array(members.length);
  const out = new Map<string, Position>();
  let x0 = 0;
  byRank.forEach((groups, r) => {
    const key = new Map<number, number>();
    for (const g of groups) {
      const callers = pred[g]!.filter((p) => rank[p]! < r);
      const mean = callers.reduce((s, p) => s + groupY[p]!, 0) / callers.length;
      key.set(g, callers.length > 0 ? mean : Number.POSITIVE_INFINITY);
    }
    // Sources (no caller to follow) keep their input order, after the groups that follow callers.
    groups.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
    const size = sizes[r]!;
    // A wrapped rank is at least as wide as its largest app, so no app's versions straddle two rows.
    const largest = groups.reduce((m, g) => Math.max(m, members[g]!.length), 1);
    const cols = size <= maxRows ? 1 : Math.max(Math.ceil(size / maxRows), largest);
    const cells: { id: string; col: number; row: number; g: number }[] = [];
    let col = 0;
    let row = 0;
    for (const g of groups) {
      const list = members[g]!.slice().sort(byVersion);
      if (cols > 1 && col > 0 && col + list.length > cols) {
        col = 0;
        row++;
      }
      for (const n of list) {
        cells.push({ id: n.id, col, row, g });
        if (++col === cols) {
          col = 0;
          row++;
        }
      }
    }
    const rows = col === 0 ? row : row + 1;
    const sumY = new Map<number, number[]>();
    for (const c of cells) {
      const p = { x: x0 + c.col * o.columnGap, y: (c.row - (rows - 1) / 2) * o.rowGap };
      out.set(c.id, p);
      (sumY.get(c.g) ?? sumY.set(c.g, []).get(c.g)!).push(p.y);
    }
    for (const [g, ys] of sumY) groupY[g] = ys.reduce((a, b) => a + b, 0) / ys.length;
    x0 += cols * o.columnGap + o.rankGap;
  });
  return out;
}
