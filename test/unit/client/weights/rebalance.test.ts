import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apportion,
  evenSplit,
  fitToTotal,
  presets,
  promote,
  setWeight,
} from '../../../../client/src/weights/rebalance.ts';

const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
const none = (n: number) => Array.from({ length: n }, () => false);

describe('apportion (largest remainder)', () => {
  it('splits exactly when the quotas are integers', () => {
    expect(apportion(100, [80, 20])).toEqual([80, 20]);
    expect(apportion(50, [3, 1, 1])).toEqual([30, 10, 10]);
  });

  it('gives the leftover units to the largest remainders', () => {
    // quotas 33.33…, 33.33…, 33.33… → ties go to the earlier position
    expect(apportion(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // quotas 14.28…, 28.57…, 57.14… → floors 14, 28, 57 (99); the largest remainder (.57) gets the unit
    expect(apportion(100, [1, 2, 4])).toEqual([14, 29, 57]);
  });

  it('splits evenly when every share is zero, and returns nothing for no shares', () => {
    expect(apportion(10, [0, 0, 0])).toEqual([4, 3, 3]);
    expect(apportion(0, [])).toEqual([]);
  });
});

describe('setWeight', () => {
  it('rebalances the unlocked others in proportion', () => {
    // backend_v1 80 / backend_v2 20, the canary moved to 50
    expect(setWeight([80, 20], none(2), 1, 50, 100)).toEqual([50, 50]);
    // 50/30/20, first moved to 20: 80 left for 30:20 → 48/32
    expect(setWeight([50, 30, 20], none(3), 0, 20, 100)).toEqual([20, 48, 32]);
  });

  it('leaves a locked cluster alone and only moves the unlocked ones', () => {
    expect(setWeight([50, 30, 20], [false, false, true], 0, 70, 100)).toEqual([70, 10, 20]);
  });

  it('clamps to what the locked clusters leave', () => {
    expect(setWeight([50, 30, 20], [false, false, true], 0, 95, 100)).toEqual([80, 0, 20]);
    expect(setWeight([50, 30, 20], none(3), 0, -10, 100)).toEqual([0, 60, 40]);
    expect(setWeight([50, 50], none(2), 0, 250, 100)).toEqual([100, 0]);
  });

  it('cannot move a cluster when all the others are locked', () => {
    expect(setWeight([50, 30, 20], [false, true, true], 0, 90, 100)).toEqual([50, 30, 20]);
  });

  it('does not move a locked cluster', () => {
    expect(setWeight([50, 50], [true, false], 0, 10, 100)).toEqual([50, 50]);
  });

  it('splits evenly among others that were all at zero', () => {
    expect(setWeight([100, 0, 0], none(3), 0, 80, 100)).toEqual([80, 10, 10]);
  });

  it('rounds fractional input and keeps a route total other than 100', () => {
    expect(setWeight([600, 400], none(2), 0, 749.6, 1000)).toEqual([750, 250]);
  });
});

describe('evenSplit, promote, presets, fitToTotal', () => {
  it('splits evenly among the unlocked clusters', () => {
    expect(evenSplit([70, 10, 20], none(3), 100)).toEqual([34, 33, 33]);
    expect(evenSplit([70, 10, 20], [false, false, true], 100)).toEqual([40, 40, 20]);
    expect(evenSplit([70, 30], [true, true], 100)).toEqual([70, 30]);
  });

  it('promotes one cluster to the whole total', () => {
    expect(promote(3, 1, 100)).toEqual([0, 100, 0]);
  });

  it('offers 100/0, 80/20, 50/50 and 0/100 for two clusters', () => {
    expect(presets(2, 100).map((p) => [p.label, p.weights])).toEqual([
      ['100/0', [100, 0]],
      ['80/20', [80, 20]],
      ['50/50', [50, 50]],
      ['0/100', [0, 100]],
    ]);
    expect(presets(2, 1000)[1]!.weights).toEqual([800, 200]);
  });

  it('generalises the presets to three clusters', () => {
    expect(presets(3, 100).map((p) => p.label)).toEqual(['100/0/0', '80/10/10', '34/33/33', '0/0/100']);
    expect(presets(1, 100)).toEqual([]);
  });

  it('fits weights that do not add up to the total', () => {
    expect(fitToTotal([1, 1], 100)).toEqual([50, 50]);
    expect(fitToTotal([0, 0], 100)).toEqual([50, 50]);
    expect(fitToTotal([80, 20], 100)).toEqual([80, 20]);
  });
});

// ---- properties ----

/** A total and integer weights that add up to it (cut points in [0, total]). */
const route = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    total: fc.oneof(fc.constant(100), fc.integer({ min: 1, max: 100_000 })),
  })
  .chain(({ n, total }) =>
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: total }), { minLength: n - 1, maxLength: n - 1 }),
        fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        fc.integer({ min: 0, max: n - 1 }),
        fc.oneof(
          fc.integer({ min: -total, max: 2 * total }),
          fc.double({ min: -10, max: total + 10, noNaN: true }),
        ),
      )
      .map(([cuts, locked, index, value]) => {
        const points = [0, ...cuts.sort((a, b) => a - b), total];
        const weights = points.slice(1).map((p, i) => p - points[i]!);
        return { total, weights, locked, index, value };
      }),
  );

describe('setWeight properties', () => {
  it('keeps the sum, integers and non-negative weights', () => {
    fc.assert(
      fc.property(route, ({ total, weights, locked, index, value }) => {
        const out = setWeight(weights, locked, index, value, total);
        expect(out).toHaveLength(weights.length);
        expect(sum(out)).toBe(total);
        for (const w of out) {
          expect(Number.isInteger(w)).toBe(true);
          expect(w).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('never changes a locked cluster other than the one moved, nor a locked moved one', () => {
    fc.assert(
      fc.property(route, ({ total, weights, locked, index, value }) => {
        const out = setWeight(weights, locked, index, value, total);
        weights.forEach((w, j) => {
          if (locked[j]) expect(out[j]).toBe(w);
        });
      }),
    );
  });

  it('puts the moved cluster at the value clamped to the room the locks leave', () => {
    fc.assert(
      fc.property(route, ({ total, weights, locked, index, value }) => {
        fc.pre(!locked[index]);
        const out = setWeight(weights, locked, index, value, total);
        const othersUnlocked = weights.some((_, j) => j !== index && !locked[j]);
        const room = total - sum(weights.filter((_, j) => j !== index && locked[j]));
        const expected = othersUnlocked ? Math.min(room, Math.max(0, Math.round(value))) : weights[index];
        expect(out[index]).toBe(expected);
      }),
    );
  });

  it('keeps the unlocked others within one unit of their proportional share', () => {
    fc.assert(
      fc.property(route, ({ total, weights, locked, index, value }) => {
        const out = setWeight(weights, locked, index, value, total);
        const others = weights.map((_, j) => j).filter((j) => j !== index && !locked[j]);
        const before = sum(others.map((j) => weights[j]!));
        const after = sum(others.map((j) => out[j]!));
        for (const j of others) {
          const exact = before > 0 ? (after * weights[j]!) / before : after / others.length;
          expect(Math.abs(out[j]! - exact)).toBeLessThan(1);
        }
      }),
    );
  });
});

describe('evenSplit and presets properties', () => {
  it('evenSplit keeps the sum and the locks, and unlocked weights differ by at most one', () => {
    fc.assert(
      fc.property(route, ({ total, weights, locked }) => {
        const out = evenSplit(weights, locked, total);
        expect(sum(out)).toBe(total);
        const free = out.filter((_, i) => !locked[i]);
        weights.forEach((w, i) => {
          if (locked[i]) expect(out[i]).toBe(w);
        });
        if (free.length > 0) expect(Math.max(...free) - Math.min(...free)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('every preset is non-negative integers summing to the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 1_000_000 }), (n, total) => {
        const ps = presets(n, total);
        expect(ps).toHaveLength(4);
        for (const p of ps) {
          expect(p.weights).toHaveLength(n);
          expect(sum(p.weights)).toBe(total);
          expect(p.weights.every((w) => Number.isInteger(w) && w >= 0)).toBe(true);
          expect(sum(p.label.split('/').map(Number))).toBe(100);
        }
      }),
    );
  });

  it('apportion always hands out exactly the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 10 }),
        (amount, shares) => {
          const out = apportion(amount, shares);
          expect(sum(out)).toBe(amount);
          expect(out.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
        },
      ),
    );
  });
});
