// Weighted choice for `weighted_clusters`. Envoy takes `random % total_weight` and walks the clusters'
// cumulative weights, taking the first whose range [begin, begin + weight) holds the value; here the
// random value is a float in [0, 1) scaled by `total`, which is the same walk.

/**
 * Index of the chosen entry, or -1 when nothing can be chosen (`total` is not positive, or the weights
 * do not reach `rand * total`). Zero weights are never chosen. `rand` is uniform in [0, 1).
 */
export function pickWeighted(weights: readonly number[], total: number, rand: number): number {
  if (!(total > 0)) return -1;
  let remaining = rand * total;
  let lastPositive = -1;
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w > 0)) continue;
    lastPositive = i;
    sum += w;
    remaining -= w;
    if (remaining < 0) return i;
  }
  // Only float rounding can leave `remaining` at a hair above 0 when the weights add up to `total`.
  return lastPositive >= 0 && sum >= total ? lastPositive : -1;
}
