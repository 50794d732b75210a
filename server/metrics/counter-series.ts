// The history of one traffic series (a sidecar's upstream cluster, an Istio destination, an inbound
// listener) as reset-corrected cumulative counters: each scrape adds its increments (see
// counter-increments.ts) to a running total, and the totals are kept in two rings:
// - fine: every sample, for the recent past (by default twice the default window);
// - coarse: one sample per step (default 60 s) for the whole history (default 1 h).
// Because the totals are already corrected for resets, the increase over any span is the newest total
// minus the oldest one in it, so a rate over a window needs only the oldest and newest samples inside
// it, and dropping the samples between coarse steps loses nothing but time resolution.
//
// Vector layout (TRAFFIC_SCALARS, then one cumulative count per histogram bucket of `le`):
import { SampleRing } from './sample-ring.ts';

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
  private readonly total: Float64Array;
  private readonly fine: SampleRing;
  private readonly coarse: SampleRing;
  private readonly coarseStepMs: number;
  private lastCoarseAt = Number.NEGATIVE_INFINITY;

  constructor(le: readonly number[], shape: SeriesShape) {
    this.le = le;
    this.width = TRAFFIC_SCALARS + le.length;
    this.total = new Float64Array(this.width);
    this.fine = new SampleRing(shape.fineCapacity, this.width);
    this.coarse = new SampleRing(shape.coarseCapacity, this.width);
    this.coarseStepMs = shape.coarseStepMs;
  }

  /** Bytes held by this series' arrays. */
  get bytes(): number {
    return this.fine.bytes + this.coarse.bytes + this.total.byteLength;
  }

  /** Adds one scrape's increments (length `width`) at epoch ms `at`; older or equal times are ignored. */
  add(at: number, increments: ArrayLike<number>): void {
    if (at <= this.lastAt) return;
    for (let i = 0; i < this.width; i++) this.total[i]! += increments[i]!;
    this.lastAt = at;
    this.fine.push(at, this.total);
    if (at - this.lastCoarseAt >= this.coarseStepMs) {
      this.coarse.push(at, this.total);
      this.lastCoarseAt = at;
    }
  }

  /**
   * The increase from the oldest to the newest sample within `[endMs − windowMs, endMs]`, or undefined
   * when no sample falls inside. One sample alone gives `seconds: 0`.
   */
  window(endMs: number, windowMs: number): WindowDelta | undefined {
    const start = endMs - windowMs;
    const newestIx = this.fine.lastAtOrBefore(endMs);
    if (newestIx < 0) return undefined;
    const newestAt = this.fine.timeAt(newestIx);
    if (newestAt < start) return undefined;
    // Oldest candidate in the fine ring; the coarse ring reaches further back when the window is long.
    let oldAt = Number.POSITIVE_INFINITY;
    let old: Float64Array | undefined;
    const f = this.fine.firstAtOrAfter(start);
    if (f !== -1 && f <= newestIx) {
      oldAt = this.fine.timeAt(f);
      old = this.fine.valuesAt(f);
    }
    const c = this.coarse.firstAtOrAfter(start);
    if (c !== -1 && this.coarse.timeAt(c) < oldAt) {
      oldAt = this.coarse.timeAt(c);
      old = this.coarse.valuesAt(c);
    }
    const newest = this.fine.valuesAt(newestIx);
    const delta = new Float64Array(this.width);
    if (old !== undefined) for (let i = 0; i < this.width; i++) delta[i] = newest[i]! - old[i]!;
    return { seconds: (newestAt - oldAt) / 1000, delta, le: this.le };
  }
}
