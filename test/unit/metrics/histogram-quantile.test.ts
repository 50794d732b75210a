// histogramQuantile against hand computations of Prometheus' histogram_quantile (bucketQuantile).
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS } from '../../../proxy/stats/store.ts';
import { histogramQuantile } from '../../../server/metrics/histogram-quantile.ts';

const INF = Number.POSITIVE_INFINITY;
// 100 observations: 10 ≤ 1 ms, 50 in (1, 5], 30 in (5, 10], 10 above 10 ms.
const le = [1, 5, 10, INF];
const counts = [10, 60, 90, 100];

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket that reaches the rank', () => {
    // rank 50 → bucket (1, 5] holds ranks 10..60: 1 + 4 × (50 − 10) / 50 = 4.2
    expect(histogramQuantile(0.5, le, counts)).toBeCloseTo(4.2, 12);
    // rank 75 → bucket (5, 10] holds 60..90: 5 + 5 × 15 / 30 = 7.5
    expect(histogramQuantile(0.75, le, counts)).toBeCloseTo(7.5, 12);
    // rank 90 reaches bucket (5, 10] exactly at its top: 10
    expect(histogramQuantile(0.9, le, counts)).toBe(10);
  });

  it('starts the lowest bucket at 0', () => {
    // rank 5 in [0, 1]: 0 + 1 × 5 / 10
    expect(histogramQuantile(0.05, le, counts)).toBeCloseTo(0.5, 12);
  });

  it('returns the highest finite bound for a rank only the +Inf bucket reaches', () => {
    expect(histogramQuantile(0.95, le, counts)).toBe(10);
    expect(histogramQuantile(0.99, le, counts)).toBe(10);
    expect(histogramQuantile(1, le, counts)).toBe(10);
  });

  it('returns the bound of a lowest bucket whose bound is ≤ 0', () => {
    expect(histogramQuantile(0.25, [0, 1, INF], [5, 10, 10])).toBe(0);
  });

  it('makes the counts monotonic first', () => {
    // [10, 8, 20, 20] is read as [10, 10, 20, 20]: rank 15 falls in (5, 10]: 5 + 5 × 5 / 10
    expect(histogramQuantile(0.75, le, [10, 8, 20, 20])).toBeCloseTo(7.5, 12);
  });

  it('is NaN without observations, with one bucket, or without a +Inf bucket', () => {
    expect(histogramQuantile(0.5, le, [0, 0, 0, 0])).toBeNaN();
    expect(histogramQuantile(0.5, [INF], [5])).toBeNaN();
    expect(histogramQuantile(0.5, [1, 5], [1, 2])).toBeNaN();
    expect(histogramQuantile(Number.NaN, le, counts)).toBeNaN();
  });

  it('is ∓Inf for φ outside [0, 1]', () => {
    expect(histogramQuantile(-0.1, le, counts)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, le, counts)).toBe(INF);
  });

  it("matches a hand computation on Envoy's default buckets", () => {
    // Envoy's upstream_rq_time bounds; 200 requests: 120 in (1, 5], 60 in (5, 10], 18 in (10, 25], 2 in (25, 50].
    const envoyLe = [...DEFAULT_BUCKETS, INF];
    const c = [
      0, 0, 120, 180, 198, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    ];
    expect(histogramQuantile(0.5, envoyLe, c)).toBeCloseTo(1 + 4 * (100 / 120), 12); // 4.333…
    expect(histogramQuantile(0.95, envoyLe, c)).toBeCloseTo(10 + 15 * (10 / 18), 12); // 18.333…
    expect(histogramQuantile(0.99, envoyLe, c)).toBeCloseTo(10 + 15 * (18 / 18), 12); // rank 198 = top of (10, 25]
  });

  it('agrees with a literal transcription of bucketQuantile on random histograms (dips, NaN, zeros)', () => {
    // promql/quantile.go step by step: a monotonic copy of the counts, then sort.Search and interpolation.
    const reference = (q: number, bounds: number[], cs: number[]): number => {
      const cum: number[] = [];
      let max = 0;
      for (const c of cs) {
        max = Number.isNaN(c) ? max : Math.max(max, c);
        cum.push(max);
      }
      const total = cum[cum.length - 1]!;
      if (total === 0) return Number.NaN;
      const rank = q * total;
      let b = cum.findIndex((c) => c >= rank);
      if (b === -1 || b >= bounds.length - 1) b = bounds.length - 1;
      if (b === bounds.length - 1) return bounds[bounds.length - 2]!;
      if (b === 0 && bounds[0]! <= 0) return bounds[0]!;
      const start = b === 0 ? 0 : bounds[b - 1]!;
      const below = b === 0 ? 0 : cum[b - 1]!;
      return start + (bounds[b]! - start) * ((rank - below) / (cum[b]! - below));
    };
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 2000; round++) {
      const n = 2 + Math.floor(random() * 8);
      const bounds = Array.from({ length: n - 1 }, (_, i) => (i - (random() < 0.1 ? 1 : 0)) * 5 + 1);
      bounds.push(INF);
      let c = 0;
      const cs = bounds.map(() => {
        const r = random();
        if (r < 0.05) return Number.NaN;
        c += r < 0.15 ? -Math.floor(random() * 3) : Math.floor(random() * 10);
        return c;
      });
      for (const q of [0, 0.01, 0.5, 0.95, 0.99, 1]) {
        const want = reference(q, bounds, cs);
        const got = histogramQuantile(q, bounds, cs);
        if (Number.isNaN(want)) expect(got, `${q} ${bounds} ${cs}`).toBeNaN();
        else expect(got, `${q} ${bounds} ${cs}`).toBeCloseTo(want, 9);
      }
    }
  });
});
