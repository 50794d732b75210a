// The history of one traffic series (a sidecar's upstream cluster, an Istio destination, an inbound
// listener) as reset-corrected counters: each scrape's increments (see counter-increments.ts) are added
// to a running total and kept, as float32 (increment-ring.ts), in two rings:
// - fine: every sample's increments, for the recent past (by default twice the default window);
// - coarse: the increments of each step (default 60 s: one sample per step) for the whole history
//   (default 1 h), with the running total at the newest coarse sample.
// Because the increments are already corrected for resets, the increase over any span is the sum of
// the increments after its oldest sample up to its newest one (the same as newest total minus oldest
// total), so dropping the samples between coarse steps loses nothing but time resolution.
//
// Vector layout (TRAFFIC_SCALARS, then one cumulative count per histogram bucket of `le`):
import { IncrementRing } from './increment-ring.ts';

export const TRAFFIC_SCALARS = 11;
export const IX = {
  total: 0,
  /** 1xx..5xx at IX.xx + 0..4 */
  xx: 1,
  rq503: 6,
  pendingOverflow: 7,
  cxOverflow: 8,
  noneHealthy: 9,
  connectFail: 10,
} as const;

export interface SeriesShape {
  fineCapacity: number;
  coarseCapacity: number;
  coarseStepMs: number;
}

/** What a window holds: the increase of every counter and bucket, over `seconds`. */
export interface WindowDelta {
  seconds: number;
  delta: Float64Array;
  le: readonly number[];
}

export class CounterSeries {
  readonly le: readonly number[];
  readonly width: number;
  /** Epoch ms of the newest sample. */
  lastAt = Number.NEGATIVE_INFINITY;
  /** Running total at the newest sample. */
  private readonly total: Float64Array;
  /** Running total at the newest coarse sample. */
  private readonly coarseTotal: Float64Array;
  private readonly fine: IncrementRing;
  private readonly coarse: IncrementRing;
  private readonly coarseStepMs: number;
  private lastCoarseAt = Number.NEGATIVE_INFINITY;

  constructor(le: readonly number[], shape: SeriesShape) {
    this.le = le;
    this.width = TRAFFIC_SCALARS + le.length;
    // One buffer for the series: two totals, then the fine and coarse rings. Each typed array with its
    // own buffer costs a backing store and its bookkeeping (≈ 200 B, malloc'd) besides its bytes;
    // 11,000 series × 6 arrays made that ≈ 13 MB in bench/graph.
    const totals = this.width * 8;
    const fineBytes = IncrementRing.bytesFor(shape.fineCapacity, this.width);
    const buffer = new ArrayBuffer(
      2 * totals + fineBytes + IncrementRing.bytesFor(shape.coarseCapacity, this.width),
    );
    this.total = new Float64Array(buffer, 0, this.width);
    this.coarseTotal = new Float64Array(buffer, totals, this.width);
    this.fine = new IncrementRing(shape.fineCapacity, this.width, buffer, 2 * totals);
    this.coarse = new IncrementRing(shape.coarseCapacity, this.width, buffer, 2 * totals + fineBytes);
    this.coarseStepMs = shape.coarseStepMs;
  }

  /** Bytes held by this series' arrays. */
  get bytes(): number {
    return this.fine.bytes + this.coarse.bytes + this.total.byteLength + this.coarseTotal.byteLength;
  }

  /** Adds one scrape's increments (length `width`) at epoch ms `at`; older or equal times are ignored. */
  add(at: number, increments: ArrayLike<number>): void {
    if (at <= this.lastAt) return;
    for (let i = 0; i < this.width; i++) this.total[i]! += increments[i]!;
    this.lastAt = at;
    this.fine.push(at, increments);
    if (at - this.lastCoarseAt >= this.coarseStepMs) {
      // The step's increments, computed in place: coarseTotal becomes them, then the new total.
      const step = this.coarseTotal;
      for (let i = 0; i < this.width; i++) step[i] = this.total[i]! - step[i]!;
      this.coarse.push(at, step);
      step.set(this.total);
      this.lastCoarseAt = at;
    }
  }

  /**
   * The increase from the oldest to the newest sample within `[endMs − windowMs, endMs]`, or undefined
   * when no sample falls inside. One sample alone gives `seconds: 0`. With `scratch` (at least `width`
   * long), the delta is written there instead of a new array: a graph of a new window reads 12,000
   * windows, and each array of this size has its own malloc'd backing store.
   */
  window(endMs: number, windowMs: number, scratch?: Float64Array): WindowDelta | undefined {
    const start = endMs - windowMs;
    const newestIx = this.fine.lastAtOrBefore(endMs);
    if (newestIx < 0) return undefined;
    const newestAt = this.fine.timeAt(newestIx);
    if (newestAt < start) return undefined;
    // The oldest sample inside is in the fine ring, unless the coarse ring reaches further back.
    let delta: Float64Array;
    if (scratch !== undefined && scratch.length >= this.width) {
      delta = scratch.length === this.width ? scratch : scratch.subarray(0, this.width);
      delta.fill(0);
    } else {
      delta = new Float64Array(this.width);
    }
    const f = this.fine.firstAtOrAfter(start);
    let oldAt = this.fine.timeAt(f);
    const c = this.coarse.firstAtOrAfter(start);
    if (c !== -1 && this.coarse.timeAt(c) < oldAt) {
      oldAt = this.coarse.timeAt(c);
      // total(newest) − total(c) = (total − coarseTotal) − fine increments after newest
      //                            + coarse increments after c
      for (let i = 0; i < this.width; i++) delta[i] = this.total[i]! - this.coarseTotal[i]!;
      this.fine.addRange(newestIx + 1, this.fine.length - 1, delta, -1);
      this.coarse.addRange(c + 1, this.coarse.length - 1, delta, 1);
    } else {
      this.fine.addRange(f + 1, newestIx, delta, 1);
    }
    return { seconds: (newestAt - oldAt) / 1000, delta, le: this.le };
  }
}
