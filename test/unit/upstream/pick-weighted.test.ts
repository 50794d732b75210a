import { describe, expect, it } from 'vitest';
import { pickWeighted } from '../../../proxy/upstream/pick-weighted.ts';
import { seededRandom } from '../../support/seeded-random.ts';

describe('pickWeighted', () => {
  it('maps [0, 1) onto the cumulative weight ranges', () => {
    const w = [80, 20];
    expect(pickWeighted(w, 100, 0)).toBe(0);
    expect(pickWeighted(w, 100, 0.7999)).toBe(0);
    expect(pickWeighted(w, 100, 0.8)).toBe(1);
    expect(pickWeighted(w, 100, 0.999999)).toBe(1);
  });

  it('never picks a zero weight', () => {
    expect(pickWeighted([0, 5, 0, 5, 0], 10, 0)).toBe(1);
    expect(pickWeighted([0, 5, 0, 5, 0], 10, 0.5)).toBe(3);
    expect(pickWeighted([0, 5, 0, 5, 0], 10, 0.9999999999)).toBe(3);
  });

  it('returns -1 when nothing can be chosen', () => {
    expect(pickWeighted([0, 0], 0, 0.3)).toBe(-1);
    expect(pickWeighted([], 0, 0.3)).toBe(-1);
    // total_weight larger than the weights (a config Envoy rejects): the gap chooses nothing.
    expect(pickWeighted([10, 10], 40, 0.75)).toBe(-1);
  });

  it('follows the weights over many draws', () => {
    const rand = seededRandom(99);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[pickWeighted([10, 30, 60], 100, rand())]!++;
    expect(Math.abs(counts[0]! / 30_000 - 0.1)).toBeLessThan(0.012);
    expect(Math.abs(counts[1]! / 30_000 - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(counts[2]! / 30_000 - 0.6)).toBeLessThan(0.015);
  });
});
