// A step's figures from cumulative cluster counters: deltas since the window began, summed over
// replicas and clusters, a restarted sidecar's counters taken as new, p99 from the bucket increases.
import { describe, expect, it } from 'vitest';
import type { ClusterCounters } from '../../../server/model/sidecar-data.ts';
import { type CounterSnapshot, extendSnapshot, stepFigures } from '../../../server/weights/step-figures.ts';

const LE = [1, 5, 10, 50, Number.POSITIVE_INFINITY];
const counters = (
  total: number,
  r503: number,
  r5xx: number,
  buckets: number[] | undefined,
): ClusterCounters => ({
  upstream_rq_total: total,
  upstream_rq_xx: [0, total - r5xx, 0, 0, r5xx],
  upstream_rq_503: r503,
  upstream_rq_pending_overflow: 0,
  upstream_cx_overflow: 0,
  upstream_cx_none_healthy: 0,
  upstream_cx_connect_fail: 0,
  rqTime: buckets && { le: LE, counts: buckets, sum: 0, count: buckets.at(-1)! },
});
const snap = (entries: Record<string, Record<string, ClusterCounters>>): CounterSnapshot =>
  new Map(Object.entries(entries).map(([r, cs]) => [r, new Map(Object.entries(cs))]));

describe('stepFigures', () => {
  it('subtracts the window start and sums replicas and clusters', () => {
    const start = snap({
      r1: { v1: counters(100, 1, 2, [10, 90, 100, 100, 100]), v2: counters(10, 0, 0, [10, 10, 10, 10, 10]) },
      r2: { v1: counters(50, 0, 0, undefined), v2: counters(5, 0, 0, undefined) },
    });
    const now = snap({
      r1: {
        v1: counters(200, 1, 2, [10, 90, 100, 100, 100]),
        v2: counters(110, 20, 30, [10, 10, 10, 60, 110]),
      },
      r2: { v1: counters(150, 0, 0, undefined), v2: counters(105, 10, 10, undefined) },
    });
    expect(stepFigures(start, now, ['v2'])).toEqual({
      requests: 200,
      errors503: 30,
      errors5xx: 40,
      p99Ms: 50,
    });
    // Half of the 100 new observations are above 50 ms: p99 is the highest finite bound, as Prometheus says.
    // v1 on r1 saw 100 requests but no histogram increase: no p99.
    expect(stepFigures(start, now, ['v1'])).toEqual({
      requests: 200,
      errors503: 0,
      errors5xx: 0,
      p99Ms: null,
    });
  });

  it('takes a restarted sidecar (counters gone down) as having counted everything since', () => {
    const start = snap({ r1: { v2: counters(1000, 50, 50, undefined) } });
    const now = snap({ r1: { v2: counters(30, 3, 3, undefined) } });
    expect(stepFigures(start, now, ['v2'])).toMatchObject({ requests: 30, errors503: 3 });
  });

  it('leaves out replicas the window did not start with until extendSnapshot adds them', () => {
    const start = snap({ r1: { v2: counters(10, 0, 0, undefined) } });
    const now = snap({
      r1: { v2: counters(20, 0, 0, undefined) },
      r2: { v2: counters(500, 500, 500, undefined) },
    });
    expect(stepFigures(start, now, ['v2']).requests).toBe(10);
    extendSnapshot(start, now);
    expect(stepFigures(start, now, ['v2'])).toMatchObject({ requests: 10, errors503: 0 });
    const later = snap({
      r1: { v2: counters(20, 0, 0, undefined) },
      r2: { v2: counters(510, 505, 505, undefined) },
    });
    expect(stepFigures(start, later, ['v2'])).toMatchObject({ requests: 20, errors503: 5 });
  });
});
