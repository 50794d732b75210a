// The weight editor's arithmetic. Envoy's weighted_clusters take integer weights that must add up to
// the route's total (100 unless `total_weight` says otherwise; the weights API rejects anything else),
// so every operation here returns non-negative integers with exactly that sum, given weights that
// already had it. Splits use the largest-remainder method, so a share is never more than one off its
// exact proportional value and no weight drifts negative.

/**
 * `amount` (a non-negative integer) split in proportion to `shares` (non-negative integers): each part
 * is its exact quota rounded down, and what rounding left over goes one by one to the largest
 * remainders (ties: the larger share, then the earlier position). All-zero shares split evenly.
 */
export function apportion(amount: number, shares: readonly number[]): number[] {
  if (shares.length === 0) return [];
  const total = shares.reduce((a, s) => a + s, 0);
  const basis = total > 0 ? shares : shares.map(() => 1);
  const sum = total > 0 ? total : shares.length;
  // Integer arithmetic: amount * share stays far below 2^53 for weights up to MAX_WEIGHT.
  const parts = basis.map((s) => {
    const numerator = amount * s;
    const remainder = numerator % sum;
    return { floor: (numerator - remainder) / sum, remainder, share: s };
  });
  let left = amount - parts.reduce((a, p) => a + p.floor, 0);
  const order = parts
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => b.remainder - a.remainder || b.share - a.share || a.i - b.i);
  const out = parts.map((p) => p.floor);
  for (const p of order) {
    if (left <= 0) break;
    out[p.i]! += 1;
    left--;
  }
  return out;
}

const sumOf = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

/**
 * Moves cluster `index` to `value` and rebalances the unlocked others in proportion to their current
 * weights, so the sum stays `total`. The value is rounded and clamped to what the locked clusters leave
 * (never below 0); with every other cluster locked nothing can give way, so the move is clamped to the
 * cluster's current share. A locked cluster does not move.
 */
export function setWeight(
  weights: readonly number[],
  locked: readonly boolean[],
  index: number,
  value: number,
  total: number,
): number[] {
  const out = [...weights];
  if (index < 0 || index >= weights.length || locked[index]) return out;
  const others: number[] = [];
  let lockedSum = 0;
  weights.forEach((w, j) => {
    if (j === index) return;
    if (locked[j]) lockedSum += w;
    else others.push(j);
  });
  const room = Math.max(0, total - lockedSum);
  const v = others.length === 0 ? room : clamp(Math.round(value), 0, room);
  out[index] = v;
  const rest = apportion(
    room - v,
    others.map((j) => weights[j]!),
  );
  others.forEach((j, k) => {
    out[j] = rest[k]!;
  });
  return out;
}

/** The unlocked clusters share what the locked ones leave, as evenly as integers allow. */
export function evenSplit(weights: readonly number[], locked: readonly boolean[], total: number): number[] {
  const free = weights.map((_, i) => i).filter((i) => !locked[i]);
  if (free.length === 0) return [...weights];
  const lockedSum = sumOf(weights.filter((_, i) => locked[i]));
  const shares = apportion(
    Math.max(0, total - lockedSum),
    free.map(() => 1),
  );
  const out = [...weights];
  free.forEach((i, k) => {
    out[i] = shares[k]!;
  });
  return out;
}

/** Everything to cluster `index` (promoting a version), nothing to the others. */
export function promote(count: number, index: number, total: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === index ? total : 0));
}

/** Weights brought to `total` in proportion (evenly if they are all zero); unchanged if they already sum to it. */
export function fitToTotal(weights: readonly number[], total: number): number[] {
  return sumOf(weights) === total ? [...weights] : apportion(total, weights);
}

export interface WeightPreset {
  /** Percentages, e.g. `80/20` or `80/10/10`. */
  label: string;
  /** What it means in words (a tooltip and the button's accessible description). */
  description: string;
  weights: number[];
}

/**
 * The canary presets. For two clusters: 100/0, 80/20, 50/50, 0/100 (the first cluster is taken as the
 * stable version, the second as the canary). For more: all on the first, 80 on the first with 20 shared
 * by the rest, an even split, all on the last; the same four ideas, each summing to `total`.
 */
export function presets(count: number, total: number): WeightPreset[] {
  if (count < 2) return [];
  const rest = count - 1;
  const shapes: { description: string; shares: number[] }[] = [
    { description: 'everything to the first cluster', shares: promote(count, 0, 1) },
    {
      description:
        count === 2
          ? '80 % to the first cluster, 20 % to the second'
          : '80 % to the first, 20 % shared by the rest',
      // 80 : 20/(n-1) each, kept integral by scaling every share by n-1.
      shares: Array.from({ length: count }, (_, i) => (i === 0 ? 80 * rest : 20)),
    },
    { description: 'an even split', shares: Array.from({ length: count }, () => 1) },
    { description: 'everything to the last cluster', shares: promote(count, rest, 1) },
  ];
  return shapes.map(({ description, shares }) => ({
    label: apportion(100, shares).join('/'),
    description,
    weights: apportion(total, shares),
  }));
}

export function sameWeights(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isNaN(x) ? lo : Math.min(hi, Math.max(lo, x));
}
