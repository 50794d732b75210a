// A layout for graphs too large for dagre (NOTES.md: > 10 s at 500 nodes), computed in linear time
// from the call graph itself: each node's column is its rank, the longest call path from a source
// (cycles broken where a depth-first walk finds them), and the versions of an app share one rank
// and sit next to each other in their column, so a traffic shift reads as one stack of boxes.
// Within a column, groups follow the mean row of their callers (one left-to-right sweep), which
// keeps most call chains straight without the cost of crossing minimisation.

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
  columnGap?: number;
  rowGap?: number;
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

export function rankedLayout(
  nodes: readonly RankedNode[],
  edges: readonly RankedEdge[],
  opts: RankedLayoutOptions = {},
): Map<string, Position> {
  const columnGap = opts.columnGap ?? 240;
  const rowGap = opts.rowGap ?? 80;
  const { members, succ, pred } = groupGraph(nodes, edges);
  const rank = ranks(succ, pred);
  const columnCount = rank.reduce((m, r) => Math.max(m, r + 1), 0);
  const columns: number[][] = Array.from({ length: columnCount }, () => []);
  for (let g = 0; g < members.length; g++) columns[rank[g]!]!.push(g);

  // Row (in node slots) of each group's centre, set column by column so callers are placed first.
  const row = new Float64Array(members.length);
  const out = new Map<string, Position>();
  columns.forEach((groups, col) => {
    const key = new Map<number, number>();
    for (const g of groups) {
      const callers = pred[g]!.filter((p) => rank[p]! < col);
      key.set(
        g,
        callers.length > 0
          ? callers.reduce((s, p) => s + row[p]!, 0) / callers.length
          : Number.POSITIVE_INFINITY,
      );
    }
    // Sources (no caller to follow) keep their input order, after the groups that follow callers.
    groups.sort((a, b) => key.get(a)! - key.get(b)! || a - b);
    const size = groups.reduce((s, g) => s + members[g]!.length, 0);
    let slot = -(size - 1) / 2;
    for (const g of groups) {
      const list = members[g]!.slice().sort(byVersion);
      row[g] = slot + (list.length - 1) / 2;
      for (const n of list) out.set(n.id, { x: col * columnGap, y: slot++ * rowGap });
    }
  });
  return out;
}
