// The central interval of a binomial distribution, exactly: with n requests each sent to a cluster with
// probability p (its configured share; Envoy draws every request's cluster independently), how many
// may go there before the split is no longer explained by chance. Computed from the probability mass
// around the mode, built up by the ratio of neighbouring terms, so no factorial or log-gamma is needed
// and nothing underflows: terms smaller than 1e-18 of the mode's are negligible for any confidence asked.

/** [lo, hi] counts such that P(X < lo) ≤ (1-confidence)/2 and P(X > hi) ≤ (1-confidence)/2. */
export function binomialInterval(n: number, p: number, confidence: number): [number, number] {
  if (!(n >= 0) || !Number.isInteger(n)) throw new Error(`n must be a whole number ≥ 0: ${n}`);
  if (!(p >= 0 && p <= 1)) throw new Error(`p must be within [0, 1]: ${p}`);
  if (p === 0 || n === 0) return [0, 0];
  if (p === 1) return [n, n];
  const tail = (1 - confidence) / 2;
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const odds = p / (1 - p);
  // Unnormalized masses: w(mode) = 1, w(k+1) = w(k)·(n-k)/(k+1)·odds.
  const up: number[] = [1];
  for (let k = mode, w = 1; k < n; k++) {
    w *= ((n - k) / (k + 1)) * odds;
    if (w < 1e-18) break;
    up.push(w);
  }
  const down: number[] = [];
  for (let k = mode, w = 1; k > 0; k--) {
    w *= k / (n - k + 1) / odds;
    if (w < 1e-18) break;
    down.push(w);
  }
  const total = up.reduce((a, b) => a + b, 0) + down.reduce((a, b) => a + b, 0);
  // Lower bound: walk up from the smallest term kept while the mass below stays within the tail.
  let lo = mode - down.length;
  let below = 0;
  for (let i = down.length - 1; i >= 0; i--) {
    if ((below + down[i]!) / total > tail) break;
    below += down[i]!;
    lo++;
  }
  let hi = mode + up.length - 1;
  let above = 0;
  for (let i = up.length - 1; i >= 0; i--) {
    if ((above + up[i]!) / total > tail) break;
    above += up[i]!;
    hi--;
  }
  return [lo, hi];
}
