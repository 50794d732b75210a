// The step sequence of a guarded shift: valid weights at every step, never past the target, the
// target reached exactly, and the percent form of a target keeping the baseline's proportions.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  apportion,
  planSteps,
  stepWeightOf,
  targetForPercent,
  weightsTotal,
} from '../../../server/weights/guarded-shift-steps.ts';

describe('planSteps', () => {
  it('moves 10 points a step from 100/0 to 0/100', () => {
    const steps = planSteps({ v1: 100, v2: 0 }, { v1: 0, v2: 100 }, 'v2', 10);
    expect(steps).toHaveLength(10);
    expect(steps[0]).toEqual({ v1: 90, v2: 10 });
    expect(steps[4]).toEqual({ v1: 50, v2: 50 });
    expect(steps.at(-1)).toEqual({ v1: 0, v2: 100 });
  });

  it('ends with a smaller step when the distance is not a multiple', () => {
    const steps = planSteps({ v1: 80, v2: 20 }, { v1: 45, v2: 55 }, 'v2', 25);
    expect(steps).toEqual([
      { v1: 55, v2: 45 },
      { v1: 45, v2: 55 },
    ]);
  });

  it('spreads the canary gain over several baseline clusters in proportion', () => {
    const steps = planSteps({ a: 60, b: 30, c: 10 }, { a: 40, b: 20, c: 40 }, 'c', 10);
    expect(steps).toEqual([
      { a: 53, b: 27, c: 20 },
      { a: 47, b: 23, c: 30 },
      { a: 40, b: 20, c: 40 },
    ]);
  });

  it('refuses a target that does not give the canary more', () => {
    expect(() => planSteps({ v1: 50, v2: 50 }, { v1: 60, v2: 40 }, 'v2', 10)).toThrow(
      /more than its current 50/,
    );
  });

  const shiftCase = fc
    .record({
      names: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 2, maxLength: 5 }),
      total: fc.integer({ min: 1, max: 10_000 }),
      seedStart: fc.array(fc.nat(1000), { minLength: 5, maxLength: 5 }),
      seedTarget: fc.array(fc.nat(1000), { minLength: 5, maxLength: 5 }),
      stepPercent: fc.integer({ min: 1, max: 100 }),
    })
    .map(({ names, total, seedStart, seedTarget, stepPercent }) => {
      const canary = names[0]!;
      const start = apportion(Object.fromEntries(names.map((n, i) => [n, seedStart[i]!])), total);
      const target = apportion(Object.fromEntries(names.map((n, i) => [n, seedTarget[i]!])), total);
      return { canary, start, target, total, stepPercent };
    })
    .filter(({ start, target, canary }) => target[canary]! > start[canary]!);

  it('every step: non-negative integers summing to the total, each between start and target, canary rising', () => {
    fc.assert(
      fc.property(shiftCase, ({ canary, start, target, total, stepPercent }) => {
        const stepWeight = stepWeightOf(total, stepPercent);
        const steps = planSteps(start, target, canary, stepWeight);
        expect(steps.at(-1)).toEqual(target);
        let prevCanary = start[canary]!;
        for (const step of steps) {
          expect(Object.keys(step).sort()).toEqual(Object.keys(start).sort());
          expect(weightsTotal(step)).toBe(total);
          for (const [n, w] of Object.entries(step)) {
            expect(Number.isInteger(w)).toBe(true);
            expect(w).toBeGreaterThanOrEqual(Math.min(start[n]!, target[n]!));
            expect(w).toBeLessThanOrEqual(Math.max(start[n]!, target[n]!));
          }
          expect(step[canary]!).toBeGreaterThan(prevCanary);
          expect(step[canary]! - prevCanary).toBeLessThanOrEqual(stepWeight);
          expect(step[canary]!).toBeLessThanOrEqual(target[canary]!);
          prevCanary = step[canary]!;
        }
      }),
    );
  });
});

describe('targetForPercent', () => {
  it('gives the canary its share and the baseline the rest in its proportions', () => {
    expect(targetForPercent({ a: 60, b: 30, c: 10 }, 'c', 40)).toEqual({ a: 40, b: 20, c: 40 });
    expect(targetForPercent({ v1: 8, v2: 2 }, 'v2', 100)).toEqual({ v1: 0, v2: 10 });
  });

  it('always sums to the starting total', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(500), { minKeys: 2 }),
        fc.integer({ min: 1, max: 100 }),
        (start, percent) => {
          const canary = Object.keys(start)[0]!;
          const t = targetForPercent(start, canary, percent);
          expect(weightsTotal(t)).toBe(weightsTotal(start));
          expect(Object.values(t).every((w) => Number.isInteger(w) && w >= 0)).toBe(true);
        },
      ),
    );
  });
});
