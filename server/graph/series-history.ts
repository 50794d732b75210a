// Sparkline history per node and edge (GET /api/nodes/:id/series, /api/edges/:id/series), appended
// from each built graph: the last `recent` cycles at full resolution (default 60: 5 min at 5 s),
// and before them one point per `coarseStepMs` (default 1 min) for `coarsePoints` steps (default 60:
// the hour). A sparkline a few hundred pixels wide cannot show 720 points an hour anyway, and the
// server records every graph type (≈ 4 × the workload graph's ids), so full resolution for the hour
// cost 5.8 kB an id; this costs 1 kB.
//
// A coarse point is the mean rps of the cycles the id was present in that minute, the 5xx ratio of
// their summed rates (so it weighs busy cycles more) and the highest p95 (a spike stays visible).
// Its time is the last cycle folded into it.
//
// Encoding per point (8 bytes): rps as float32 (NaN: absent, no point), the 5xx ratio as a uint16
// fraction of 65,535 (never rounded to 0 when non-zero), and p95 as a uint16 log code
// (`1 + round(log2(1 + ms) × 2047)`, 0 for none: ±0.02 % up to 49 days). Points read back with 7
// significant digits for rps, 4 for the ratio and 3 for p95, plenty for a sparkline.
//
// Layout: ids get slots in blocks of typed arrays allocated `BLOCK` slots at a time (no per-id
// buffers, so no per-id allocation or allocator overhead); slots of expired ids are reused. Memory:
// `slots × ((recent + coarsePoints) × 8 + 36) B` plus the id map; with the defaults ≈ 1 kB an id.
import type { Graph, Traffic } from '../../shared/api/graph.ts';
import type { SeriesPoint } from '../../shared/api/series.ts';

export interface SeriesHistoryOptions {
  /** Cycles kept at full resolution (default 60: five minutes of 5 s cycles). */
  recent?: number;
  /** Width of a coarse point (default 60 s). */
  coarseStepMs?: number;
  /** Coarse points kept before the recent ones (default 60: with the defaults, an hour in all). */
  coarsePoints?: number;
  /** Drop ids not seen for this long (default 1 h). */
  expireMs?: number;
  /** Track at most this many ids (default 100,000). */
  maxIds?: number;
}

const RATIO_SCALE = 65535;
const LOG_STEPS = 2047;
const BLOCK = 1024;

function encodeRatio(ratio: number): number {
  return ratio > 0 ? Math.max(1, Math.round(Math.min(1, ratio) * RATIO_SCALE)) : 0;
}

function encodeMs(ms: number | undefined): number {
  if (ms === undefined || !(ms >= 0)) return 0;
  return Math.min(65535, 1 + Math.round(Math.log2(1 + ms) * LOG_STEPS));
}

function decodeMs(code: number): number | null {
  return code === 0 ? null : Number((2 ** ((code - 1) / LOG_STEPS) - 1).toPrecision(3));
}

/** `BLOCK` ids' points: `width` points per id, each an rps, a ratio and a p95 code. */
class PointRows {
  readonly rps: Float32Array;
  readonly ratio: Uint16Array;
  readonly p95: Uint16Array;
  constructor(width: number) {
    this.rps = new Float32Array(BLOCK * width).fill(Number.NaN);
    this.ratio = new Uint16Array(BLOCK * width);
    this.p95 = new Uint16Array(BLOCK * width);
  }
}

/** One block of slots: their recent and coarse rows, and the minute being accumulated. */
class Block {
  readonly recent: PointRows;
  readonly coarse: PointRows;
  readonly accRps = new Float64Array(BLOCK);
  readonly acc5xx = new Float64Array(BLOCK);
  readonly accN = new Uint16Array(BLOCK);
  readonly accP95 = new Uint16Array(BLOCK);
  readonly lastSeen = new Float64Array(BLOCK);
  /** The cycle last written, −1 for a free slot. */
  readonly lastCycle = new Int32Array(BLOCK).fill(-1);
  constructor(recent: number, coarse: number) {
    this.recent = new PointRows(recent);
    this.coarse = new PointRows(coarse);
  }
}

export class SeriesHistory {
  readonly recent: number;
  readonly coarsePoints: number;
  private readonly coarseStepMs: number;
  private readonly expireMs: number;
  private readonly maxIds: number;
  private readonly recentTimes: Float64Array;
  private readonly coarseTimes: Float64Array;
  /** Sequence number of the newest cycle (−1 before the first); its ring slot is `cycle % recent`. */
  private cycle = -1;
  /** Coarse points written so far; the next goes to `coarseCount % coarsePoints`. */
  private coarseCount = 0;
  /** The coarse step (time ÷ step) the newest cycle falls in. */
  private openStep = Number.NaN;
  private readonly slots = new Map<string, number>();
  /** Slots handed out so far (free ones are reused first). */
  private allocated = 0;
  private readonly free: number[] = [];
  private readonly blocks: Block[] = [];

  constructor(opts: SeriesHistoryOptions = {}) {
    this.recent = opts.recent ?? 60;
    this.coarseStepMs = opts.coarseStepMs ?? 60_000;
    this.coarsePoints = opts.coarsePoints ?? 60;
    this.expireMs = opts.expireMs ?? 3_600_000;
    this.maxIds = opts.maxIds ?? 100_000;
    if (!(this.recent > 0) || !(this.coarsePoints >= 0) || !(this.coarseStepMs > 0)) {
      throw new RangeError('recent and coarseStepMs must be positive, coarsePoints not negative');
    }
    this.recentTimes = new Float64Array(this.recent);
    this.coarseTimes = new Float64Array(Math.max(1, this.coarsePoints));
  }

  get size(): number {
    return this.slots.size;
  }

  /** Bytes held by the typed arrays (the id map aside). */
  get bytes(): number {
    const perSlot = (this.recent + this.coarsePoints) * 8 + 36;
    return this.blocks.length * BLOCK * perSlot + (this.recent + this.coarsePoints) * 8;
  }

  /**
   * Appends one point per node and edge of `graph` at `graph.timestamp`. Graphs of several types built
   * in the same cycle (same timestamp) write into that one cycle; an older timestamp is ignored.
   * A node's point describes what it receives, or what it sends when it receives nothing.
   */
  record(graph: Graph): void {
    const now = graph.timestamp;
    const newest = this.cycle < 0 ? Number.NEGATIVE_INFINITY : this.recentTimes[this.cycle % this.recent]!;
    if (now < newest) return;
    if (now > newest) this.startCycle(now);
    const slot = this.cycle % this.recent;
    for (const node of graph.nodes) {
      this.write(node.id, node.inbound.rps > 0 ? node.inbound : node.outbound, now, slot);
    }
    for (const edge of graph.edges) this.write(edge.id, edge.traffic, now, slot);
  }

  /** The id's points, oldest first: coarse ones older than the recent ring, then the recent ones. */
  get(id: string): SeriesPoint[] {
    const s = this.slots.get(id);
    if (s === undefined) return [];
    const block = this.blocks[(s / BLOCK) | 0]!;
    const i = s % BLOCK;
    const out: SeriesPoint[] = [];
    const n = Math.min(this.cycle + 1, this.recent);
    const oldestRecent = this.recentTimes[(this.cycle - n + 1) % this.recent]!;
    const c = Math.min(this.coarseCount, this.coarsePoints);
    for (let k = this.coarseCount - c; k < this.coarseCount; k++) {
      const p = k % this.coarsePoints;
      if (this.coarseTimes[p]! >= oldestRecent) break;
      this.push(out, this.coarseTimes[p]!, block.coarse, i * this.coarsePoints + p);
    }
    for (let k = this.cycle - n + 1; k <= this.cycle; k++) {
      const p = k % this.recent;
      this.push(out, this.recentTimes[p]!, block.recent, i * this.recent + p);
    }
    return out;
  }

  private push(out: SeriesPoint[], time: number, rows: PointRows, at: number): void {
    const rps = rows.rps[at]!;
    if (Number.isNaN(rps)) return;
    out.push([
      time,
      // The float32 read back as the shortest decimal it stands for (7.6, not 7.599999904632568).
      Number(rps.toPrecision(7)),
      Number((rows.ratio[at]! / RATIO_SCALE).toPrecision(4)),
      decodeMs(rows.p95[at]!),
    ]);
  }

  /**
   * Closes the previous cycle (folds its points into the minute being accumulated, and that minute into
   * a coarse point when `now` starts another), then opens a cycle at `now`: its ring slot is blanked
   * for every id, so an id absent from it has no point there.
   */
  private startCycle(now: number): void {
    const prev = this.cycle;
    if (prev >= 0) this.fold(prev);
    const step = Math.floor(now / this.coarseStepMs);
    if (step !== this.openStep) {
      if (!Number.isNaN(this.openStep) && this.coarsePoints > 0)
        this.closeStep(this.recentTimes[prev % this.recent]!);
      this.openStep = step;
    }
    this.cycle++;
    const slot = this.cycle % this.recent;
    this.recentTimes[slot] = now;
    for (const [id, s] of this.slots) {
      const block = this.blocks[(s / BLOCK) | 0]!;
      const i = s % BLOCK;
      if (now - block.lastSeen[i]! > this.expireMs) {
        this.release(id, s);
        continue;
      }
      block.recent.rps[i * this.recent + slot] = Number.NaN;
    }
  }

  private fold(cycle: number): void {
    const slot = cycle % this.recent;
    for (const s of this.slots.values()) {
      const block = this.blocks[(s / BLOCK) | 0]!;
      const i = s % BLOCK;
      if (block.lastCycle[i] !== cycle) continue;
      const at = i * this.recent + slot;
      const rps = block.recent.rps[at]!;
      block.accRps[i]! += rps;
      block.acc5xx[i]! += rps * (block.recent.ratio[at]! / RATIO_SCALE);
      block.accN[i]!++;
      block.accP95[i] = Math.max(block.accP95[i]!, block.recent.p95[at]!);
    }
  }

  private closeStep(time: number): void {
    const p = this.coarseCount % this.coarsePoints;
    this.coarseTimes[p] = time;
    this.coarseCount++;
    for (const s of this.slots.values()) {
      const block = this.blocks[(s / BLOCK) | 0]!;
      const i = s % BLOCK;
      const at = i * this.coarsePoints + p;
      const n = block.accN[i]!;
      const rps = block.accRps[i]!;
      block.coarse.rps[at] = n > 0 ? rps / n : Number.NaN;
      block.coarse.ratio[at] = rps > 0 ? encodeRatio(block.acc5xx[i]! / rps) : 0;
      block.coarse.p95[at] = block.accP95[i]!;
      block.accRps[i] = 0;
      block.acc5xx[i] = 0;
      block.accN[i] = 0;
      block.accP95[i] = 0;
    }
  }

  private write(id: string, t: Traffic, now: number, slot: number): void {
    let s = this.slots.get(id);
    if (s === undefined) {
      if (this.slots.size >= this.maxIds) return;
      s = this.allocate(id);
    }
    const block = this.blocks[(s / BLOCK) | 0]!;
    const i = s % BLOCK;
    const at = i * this.recent + slot;
    block.recent.rps[at] = t.rps;
    block.recent.ratio[at] = t.rps > 0 ? encodeRatio(t.status['5xx'] / t.rps) : 0;
    block.recent.p95[at] = encodeMs(t.latencyMs?.p95);
    block.lastSeen[i] = now;
    block.lastCycle[i] = this.cycle;
  }

  private allocate(id: string): number {
    let s = this.free.pop();
    if (s === undefined) {
      s = this.allocated++;
      if (s % BLOCK === 0) this.blocks.push(new Block(this.recent, this.coarsePoints));
    }
    this.slots.set(id, s);
    return s;
  }

  /** Frees an expired id's slot, its rows blanked for the next id to take it. */
  private release(id: string, s: number): void {
    const block = this.blocks[(s / BLOCK) | 0]!;
    const i = s % BLOCK;
    block.recent.rps.fill(Number.NaN, i * this.recent, (i + 1) * this.recent);
    block.coarse.rps.fill(Number.NaN, i * this.coarsePoints, (i + 1) * this.coarsePoints);
    block.accRps[i] = 0;
    block.acc5xx[i] = 0;
    block.accN[i] = 0;
    block.accP95[i] = 0;
    block.lastCycle[i] = -1;
    this.slots.delete(id);
    this.free.push(s);
  }
}
