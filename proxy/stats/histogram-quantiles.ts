// Quantiles for the text and JSON /stats output. Envoy computes them from its circllhist histograms at
// every stats flush, once over the last flush interval and once over all time; we approximate both from
// our fixed buckets (linear interpolation inside the bucket that holds the rank).
import type { Histogram } from './store.ts';

/** Envoy's `HistogramStatisticsImpl::supportedQuantiles()`. */
export const SUPPORTED_QUANTILES: readonly number[] = [0, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 1];

/** Envoy's default stats flush interval (`stats_flush_interval`, 5 s): the length of an "interval". */
export const DEFAULT_FLUSH_INTERVAL_MS = 5000;

/**
 * Quantiles of a bucketed distribution. `counts` are per bucket (not cumulative), with the overflow
 * bucket last. Empty distributions give NaN, which Envoy prints as `nan` (text) or `null` (JSON).
 */
export function computeQuantiles(
  bounds: readonly number[],
  counts: readonly number[],
  quantiles: readonly number[] = SUPPORTED_QUANTILES,
): number[] {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return quantiles.map(() => Number.NaN);
  return quantiles.map((q) => {
    const rank = q * total;
    let below = 0;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      if (below + c >= rank) {
        const lower = i === 0 ? 0 : bounds[i - 1]!;
        // Nothing is known above the last bound: report the bound itself.
        const upper = bounds[i] ?? lower;
        return lower + ((rank - below) / c) * (upper - lower);
      }
      below += c;
    }
    return bounds[bounds.length - 1] ?? 0;
  });
}

/**
 * Per-histogram interval bookkeeping, rolled lazily when stats are rendered: the "interval" values are
 * the samples recorded during the last completed period of `periodMs`, like Envoy's per-flush interval
 * histograms. Renders closer together than the period see the same interval.
 */
export class HistogramIntervals {
  readonly #periodMs: number;
  readonly #state = new WeakMap<Histogram, { start: number[]; startedAt: number; last?: number[] }>();

  constructor(periodMs = DEFAULT_FLUSH_INTERVAL_MS) {
    this.#periodMs = periodMs;
  }

  /** Per-bucket counts of the last completed interval, or undefined while none has completed. */
  lastInterval(h: Histogram, now = Date.now()): readonly number[] | undefined {
    const s = this.#state.get(h);
    if (!s) {
      this.#state.set(h, { start: [...h.counts], startedAt: now });
      return undefined;
    }
    if (now - s.startedAt >= this.#periodMs) {
      s.last = h.counts.map((c, i) => c - (s.start[i] ?? 0));
      s.start = [...h.counts];
      s.startedAt = now;
    }
    return s.last;
  }
}

export interface QuantilePair {
  interval: number;
  cumulative: number;
}

/** Interval and cumulative quantiles of one histogram, in `SUPPORTED_QUANTILES` order. */
export function histogramQuantiles(
  h: Histogram,
  intervals?: HistogramIntervals,
  now?: number,
): QuantilePair[] {
  const cumulative = computeQuantiles(h.buckets, h.counts);
  const last = intervals?.lastInterval(h, now);
  const interval = last ? computeQuantiles(h.buckets, last) : cumulative.map(() => Number.NaN);
  return cumulative.map((c, i) => ({ interval: interval[i]!, cumulative: c }));
}
