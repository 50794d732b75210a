import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../server/graph/graph-builder.ts';
import { SeriesHistory } from '../../../server/graph/series-history.ts';
import type { Graph } from '../../../shared/api/graph.ts';
import { FakeTrafficSource, traffic } from './fake-traffic-source.ts';
import { seedLab } from './meshes.ts';

const EDGE = 'workload:default:frontend,workload:default:backend-v1';
const FRONTEND = 'workload:default:frontend';
const BACKEND = 'workload:default:backend-v1';

/** The lab's graph at `at`; with `v1` = 0 the whole route is idle and has no edges. */
function labGraph(
  at: number,
  v1: number,
  opts: { fiveXx?: number; graphType?: Graph['graphType'] } = {},
): Graph {
  const lab = seedLab({ v1, v2: v1 === 0 ? 0 : 2 });
  lab.sidecars['default/app-with-envoy']!.clusters!['backend_v1'] = traffic(v1, {
    '5xx': opts.fiveXx ?? 0,
    latency: [1, 7, 9],
  });
  return buildGraph(lab.inventory, new FakeTrafficSource(lab.sidecars, { updatedAt: at }), {
    graphType: opts.graphType ?? 'workload',
  });
}

describe('SeriesHistory', () => {
  it('appends one point per cycle for every node and edge: time, rps, 5xx ratio, p95', () => {
    const h = new SeriesHistory();
    h.record(labGraph(1000, 8));
    h.record(labGraph(6000, 4, { fiveXx: 1 }));
    expect(h.get(EDGE)).toEqual([
      [1000, 8, 0, 7],
      [6000, 4, 0.25, 7],
    ]);
    // A node's point is what it receives; frontend receives 10 from the load generator.
    expect(h.get(FRONTEND).map((p) => p[1])).toEqual([10, 6]);
    // Without latency the p95 is null.
    expect(h.get('inbound:default:frontend,workload:default:frontend')[0]?.[3]).toBeNull();
    expect(h.get('no:such:id')).toEqual([]);
  });

  it('keeps the newest `recent` points', () => {
    const h = new SeriesHistory({ recent: 3, coarsePoints: 0 });
    for (let i = 1; i <= 5; i++) h.record(labGraph(i * 5000, i));
    expect(h.get(EDGE)).toEqual([
      [15000, 3, 0, 7],
      [20000, 4, 0, 7],
      [25000, 5, 0, 7],
    ]);
  });

  it('leaves a gap for a cycle the id was absent from, also after the ring wraps', () => {
    const h = new SeriesHistory({ recent: 3, coarsePoints: 0 });
    h.record(labGraph(5000, 1));
    h.record(labGraph(10000, 2));
    h.record(labGraph(15000, 0)); // idle route: no edges at all
    h.record(labGraph(20000, 4));
    expect(h.get(EDGE).map((p) => p[0])).toEqual([10000, 20000]);
    // Idle nodes still get zero points.
    expect(h.get(BACKEND).map((p) => p[1])).toEqual([2, 0, 4]);
    expect(h.get(FRONTEND).map((p) => p[1])).toEqual([4, 0, 6]);
  });

  it('writes graphs of several types built in one cycle into that cycle, and ignores older ones', () => {
    const h = new SeriesHistory();
    h.record(labGraph(5000, 8));
    h.record(labGraph(5000, 8, { graphType: 'app' }));
    h.record(labGraph(1000, 99));
    expect(h.get(EDGE)).toHaveLength(1);
    // Request-weighted p95 of 8 rps at 7 ms and 2 rps at 10 ms (3 significant digits are kept).
    expect(h.get('app:default:frontend,app:default:backend')).toEqual([[5000, 10, 0, 7.6]]);
    h.record(labGraph(10000, 8));
    // The app graph was not recorded this cycle: its edge has one point, not a stale second.
    expect(h.get('app:default:frontend,app:default:backend')).toHaveLength(1);
  });

  it('forgets ids not seen for the expiry time, and tracks at most maxIds', () => {
    const h = new SeriesHistory({ expireMs: 10_000 });
    h.record(labGraph(0, 8));
    expect(h.get(EDGE)).toHaveLength(1);
    h.record(labGraph(5000, 0));
    h.record(labGraph(10_000, 0));
    expect(h.get(EDGE)).toHaveLength(1);
    h.record(labGraph(15_000, 0));
    expect(h.get(EDGE)).toEqual([]);

    const small = new SeriesHistory({ maxIds: 2 });
    small.record(labGraph(0, 8));
    expect(small.size).toBe(2);
  });

  it('keeps one point a step before the recent ones: mean rps, ratio of the summed rates, highest p95', () => {
    const h = new SeriesHistory({ recent: 2, coarseStepMs: 10_000, coarsePoints: 3 });
    const at = (t: number, v1: number, fiveXx = 0, p95 = 7) => {
      const g = labGraph(t, v1 === 0 ? 0 : 8);
      const edge = g.edges.find((e) => e.id === EDGE);
      if (edge) edge.traffic = traffic(v1, { '5xx': fiveXx, latency: [1, p95, p95] });
      h.record(g);
    };
    at(10_000, 10, 1, 5); // step 1
    at(15_000, 30, 3, 40); // step 1
    at(20_000, 0); // step 2: the edge is absent (idle route)
    at(25_000, 4); // step 2
    at(30_000, 6); // step 3: recent [25 s, 30 s]
    // Step 1 is one coarse point (time of its last cycle): mean of 10 and 30, 4 of 40 failing, max p95.
    // Step 2 overlaps the recent ring (its last cycle, 25 s, is recent): left to the recent points.
    expect(h.get(EDGE)).toEqual([
      [15_000, 20, 0.1, 40],
      [25_000, 4, 0, 7],
      [30_000, 6, 0, 7],
    ]);
    at(35_000, 8);
    at(40_000, 2); // step 4; recent [35 s, 40 s]; step 2 = one present cycle (4 rps), step 3 = 6 and 8
    expect(h.get(EDGE)).toEqual([
      [15_000, 20, 0.1, 40],
      [25_000, 4, 0, 7],
      [35_000, 8, 0, 7],
      [40_000, 2, 0, 7],
    ]);
    // Only `coarsePoints` steps are kept: step 1 goes when step 4 closes.
    at(45_000, 1);
    at(50_000, 1);
    expect(h.get(EDGE).map((p) => p[0])).toEqual([25_000, 35_000, 45_000, 50_000]);
  });

  it("reuses an expired id's slot without its points", () => {
    const h = new SeriesHistory({ expireMs: 10_000, recent: 4, coarsePoints: 0 });
    const g0 = labGraph(0, 8);
    h.record(g0);
    const before = h.size;
    for (const t of [5000, 10_000, 15_000]) h.record(labGraph(t, 0));
    expect(h.get(EDGE)).toEqual([]);
    // A graph whose only edge is new: it takes a freed slot and has one point, not the old edge's.
    const g = labGraph(20_000, 8);
    const renamed = { ...g.edges.find((e) => e.id === EDGE)!, id: 'workload:default:x,workload:default:y' };
    h.record({ ...g, edges: [renamed], nodes: [] });
    expect(h.get(renamed.id)).toEqual([[20_000, 8, 0, 7]]);
    expect(h.size).toBeLessThanOrEqual(before);
  });

  it('keeps a tiny 5xx ratio non-zero and latencies from 0 ms to minutes, within their precision', () => {
    const h = new SeriesHistory();
    const cases: [rps: number, fiveXx: number, p95: number][] = [
      [100_000, 1, 0],
      [3, 1, 0.4],
      [12_345.678, 0, 250],
      [0.02, 0, 123_456],
    ];
    cases.forEach(([rps, fiveXx, p95], i) => {
      const g = labGraph((i + 1) * 5000, 8);
      const edge = g.edges.find((e) => e.id === EDGE)!;
      edge.traffic = traffic(rps, { '5xx': fiveXx, latency: [p95, p95, p95] });
      h.record(g);
    });
    const points = h.get(EDGE);
    expect(points.map((p) => p[1])).toEqual([100_000, 3, 12_345.68, 0.02]);
    // 1 in 100,000 is below the ratio's resolution (1/65,535): it reads as that step, never as 0.
    expect(points[0]?.[2]).toBe(0.00001526);
    expect(points[1]?.[2]).toBe(0.3333);
    expect(points.map((p) => p[3])).toEqual([0, 0.4, 250, 123_000]);
  });
});
