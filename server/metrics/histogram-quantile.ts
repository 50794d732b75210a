// The φ-quantile of a cumulative histogram, computed exactly as Prometheus' `histogram_quantile` does
// for classic histograms (promql/quantile.go, `bucketQuantile`), so figures match a Prometheus that
// scrapes the same sidecars:
// - buckets sorted by upper bound; the highest must be +Inf, and at least two are needed, else NaN;
// - cumulative counts are made monotonic first (a bucket never holds fewer than the one below);
// - rank = φ × total; the quantile falls in the first bucket whose cumulative count reaches the rank,
//   interpolated linearly inside it, the lowest bucket starting at 0 (or, if its bound is ≤ 0, the
//   bound itself is returned);
// - a rank that only the +Inf bucket reaches returns the highest finite bound;
// - no observations: NaN; φ < 0: −Inf; φ > 1: +Inf.

/** `le`: ascending upper bounds; `counts`: cumulative counts for each bound. */
export function histogramQuantile(q: number, le: ArrayLike<number>, counts: ArrayLike<number>): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const n = le.length;
  if (n < 2 || le[n - 1] !== Number.POSITIVE_INFINITY) return Number.NaN;
  // Counts are made monotonic (Prometheus `ensureMonotonic`: float rounding in summed rates can dip a
  // bucket) as a running maximum, read on the fly: no copy, since this runs 30,000 times per graph
  // of a new window at 1,000 sidecars. A NaN count is skipped (`c > max` is false).
  let observations = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i]!;
    if (c > observations) observations = c;
  }
  if (observations === 0) return Number.NaN;
  const rank = q * observations;
  // sort.Search over the finite buckets: the first whose cumulative count is ≥ rank.
  let b = 0;
  let cum = 0;
  let below = 0;
  for (; b < n - 1; b++) {
    const c = counts[b]!;
    if (c > cum) cum = c;
    if (cum >= rank) break;
    below = cum;
  }
  if (b === n - 1) return le[n - 2]!;
  if (b === 0 && le[0]! <= 0) return le[0]!;
  if (b === 0) return le[0]! * (rank / cum);
  const bucketStart = le[b - 1]!;
  return bucketStart + (le[b]! - bucketStart) * ((rank - below) / (cum - below));
}
