import { describe, expect, it } from 'vitest';
import { binomialInterval } from '../../../server/alerts/binomial-interval.ts';

/** Exact tails by summing the mass function directly (small n only). */
function bruteForce(n: number, p: number, confidence: number): [number, number] {
  const pmf: number[] = [];
  let c = 1;
  for (let k = 0; k <= n; k++) {
    pmf.push(c * p ** k * (1 - p) ** (n - k));
    c = (c * (n - k)) / (k + 1);
  }
  const tail = (1 - confidence) / 2;
  let lo = 0;
  for (let below = 0; below + pmf[lo]! <= tail; lo++) below += pmf[lo]!;
  let hi = n;
  for (let above = 0; above + pmf[hi]! <= tail; hi--) above += pmf[hi]!;
  return [lo, hi];
}

describe('binomialInterval', () => {
  it('matches the directly summed distribution for small n', () => {
    for (const n of [1, 5, 10, 37, 100, 250]) {
      for (const p of [0.01, 0.2, 0.5, 0.8, 0.97]) {
        for (const conf of [0.9, 0.99, 0.999]) {
          expect(binomialInterval(n, p, conf), `n=${n} p=${p} conf=${conf}`).toEqual(bruteForce(n, p, conf));
        }
      }
    }
  });

  it('agrees with the normal approximation for large n (within a count or two)', () => {
    const [lo, hi] = binomialInterval(100_000, 0.2, 0.999);
    const sd = Math.sqrt(100_000 * 0.2 * 0.8);
    expect(Math.abs(lo - (20_000 - 3.2905 * sd))).toBeLessThan(3);
    expect(Math.abs(hi - (20_000 + 3.2905 * sd))).toBeLessThan(3);
  });

  it('has no room at weights 0 and 1', () => {
    expect(binomialInterval(500, 0, 0.999)).toEqual([0, 0]);
    expect(binomialInterval(500, 1, 0.999)).toEqual([500, 500]);
    expect(binomialInterval(0, 0.5, 0.999)).toEqual([0, 0]);
  });

  it('refuses nonsense', () => {
    expect(() => binomialInterval(1.5, 0.5, 0.9)).toThrow(/whole number/);
    expect(() => binomialInterval(10, 1.5, 0.9)).toThrow(/within/);
  });
});
