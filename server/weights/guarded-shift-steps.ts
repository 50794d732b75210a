// Pure: the weights of a guarded shift, from the starting weights to the target. Every step's weights
// are non-negative integers with the starting weights' sum (the route's total), the canary gains
// `stepWeight` per step (the last step may gain less), and every other cluster moves from its starting
// weight toward its target in proportion, never past it: each value is the exact interpolation rounded
// down or up (largest remainder), computed in integers so no float error can break the sum.
import type { Weights } from './route-weights.ts';

export function weightsTotal(w: Readonly<Weights>): number {
  return Object.values(w).reduce((n, v) => n + v, 0);
}

/** Integer `parts` summing to `total`, proportional to `shares` (largest remainder; ties by name). */
export function apportion(shares: Readonly<Weights>, total: number): Weights {
  const names = Object.keys(shares).sort();
  const sum = weightsTotal(shares);
  const out: Weights = {};
  if (sum === 0) {
    names.forEach((n, i) => {
      out[n] = i === 0 ? total : 0;
    });
    return out;
  }
  let given = 0;
  const rest: { name: string; rem: number }[] = [];
  for (const n of names) {
    const num = shares[n]! * total;
    out[n] = Math.floor(num / sum);
    given += out[n];
    rest.push({ name: n, rem: num % sum });
  }
  rest.sort((a, b) => b.rem - a.rem || (a.name < b.name ? -1 : 1));
  for (let i = 0; given < total; i++, given++) out[rest[i]!.name]! += 1;
  return out;
}

/**
 * The target of a shift to `percent` % on the canary: the canary gets that share of the total (rounded),
 * the other clusters split the rest in their current proportions.
 */
export function targetForPercent(start: Readonly<Weights>, canary: string, percent: number): Weights {
  const total = weightsTotal(start);
  const canaryWeight = Math.round((percent * total) / 100);
  const others: Weights = {};
  for (const [n, w] of Object.entries(start)) if (n !== canary) others[n] = w;
  return { ...apportion(others, total - canaryWeight), [canary]: canaryWeight };
}

/** The canary weight added per step: `stepPercent` % of the route's total, at least 1. */
export function stepWeightOf(total: number, stepPercent: number): number {
  return Math.max(1, Math.round((stepPercent * total) / 100));
}

/**
 * Steps 1..n from `start` to `target` (the last one equals `target`). Requires the same clusters in
 * both, the same sum, and more weight on the canary in `target` than in `start`.
 */
export function planSteps(
  start: Readonly<Weights>,
  target: Readonly<Weights>,
  canary: string,
  stepWeight: number,
): Weights[] {
  const c0 = start[canary] ?? 0;
  const cT = target[canary] ?? 0;
  const span = cT - c0;
  if (span <= 0) throw new Error(`the target must give ${canary} more than its current ${c0}`);
  const total = weightsTotal(start);
  const names = Object.keys(start).filter((n) => n !== canary);
  const n = Math.ceil(span / stepWeight);
  const steps: Weights[] = [];
  for (let k = 1; k <= n; k++) {
    const ck = k === n ? cT : c0 + k * stepWeight;
    const progress = ck - c0; // over `span`: the fraction of the way each other cluster has gone
    // Exact interpolation numerators over `span`; floors first, then the remainder by largest fraction.
    const step: Weights = { [canary]: ck };
    let given = ck;
    const rest: { name: string; rem: number }[] = [];
    for (const name of names) {
      const s = start[name]!;
      const t = target[name]!;
      const num = s * span + (t - s) * progress;
      step[name] = Math.floor(num / span);
      given += step[name];
      rest.push({ name, rem: num % span });
    }
    rest.sort((a, b) => b.rem - a.rem || (a.name < b.name ? -1 : 1));
    for (let i = 0; given < total; i++, given++) step[rest[i]!.name]! += 1;
    steps.push(step);
  }
  return steps;
}
