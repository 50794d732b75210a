import { describe, expect, it } from 'vitest';
import type { RouteAction } from '../../../proxy/config/model.ts';
import { chooseWeightedCluster, prepareWeightedChoice } from '../../../proxy/router/cluster-choice.ts';
import { seededRandom } from '../../support/seeded-random.ts';

function action(weights: Record<string, number>, runtimeKeyPrefix?: string): RouteAction {
  return {
    kind: 'route',
    timeoutMs: 15000,
    weightedClusters: {
      clusters: Object.entries(weights).map(([name, weight]) => ({ name, weight })),
      ...(runtimeKeyPrefix ? { runtimeKeyPrefix } : {}),
    },
  };
}

const noRuntime = { getInteger: (_k: string, d: number) => d };

function tally(a: RouteAction, runtime: { getInteger(k: string, d: number): number }, n: number, seed = 1) {
  const choice = prepareWeightedChoice(a)!;
  const rand = seededRandom(seed);
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = chooseWeightedCluster(choice, runtime, rand()) ?? 'none';
    counts[c] = (counts[c] ?? 0) + 1;
  }
  return counts;
}

describe('weighted cluster choice', () => {
  it('splits 80/20 within binomial bounds (800 ± 40 of 1,000) for many seeds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = tally(action({ v1: 80, v2: 20 }), noRuntime, 1000, seed);
      expect(c.v1! + c.v2!).toBe(1000);
      expect(Math.abs(c.v1! - 800)).toBeLessThanOrEqual(40);
    }
  });

  it('reads runtime weights under the prefix, falling back to the configured ones', () => {
    const values = new Map([['routing.backend.v1', 0]]);
    const runtime = { getInteger: (k: string, d: number) => values.get(k) ?? d };
    const c = tally(action({ v1: 80, v2: 20 }, 'routing.backend'), runtime, 500);
    expect(c).toEqual({ v2: 500 });
    values.set('routing.backend.v1', 50);
    values.set('routing.backend.v2', 50);
    const c2 = tally(action({ v1: 80, v2: 20 }, 'routing.backend'), runtime, 2000);
    expect(Math.abs(c2.v1! - 1000)).toBeLessThan(100);
  });

  it('gives no cluster when every weight is zero', () => {
    const runtime = { getInteger: () => 0 };
    expect(tally(action({ a: 1, b: 1 }, 'p'), runtime, 10)).toEqual({ none: 10 });
  });

  it('honours three-way splits', () => {
    const c = tally(action({ a: 50, b: 30, c: 20 }), noRuntime, 10000, 7);
    expect(Math.abs(c.a! - 5000)).toBeLessThan(200);
    expect(Math.abs(c.b! - 3000)).toBeLessThan(200);
    expect(Math.abs(c.c! - 2000)).toBeLessThan(200);
  });
});
