// MetricsStore: window rates, 503 causes, counter resets, quantiles, Istio telemetry, windows beyond
// the fine ring, expiry and bounded memory. Scrapes are built by hand; the clock is the test's.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS } from '../../../proxy/stats/store.ts';
import { vectorIncrements } from '../../../server/metrics/counter-increments.ts';
import { MetricsStore } from '../../../server/metrics/metrics-store.ts';
import type {
  ClusterCounters,
  IstioDestinationCounters,
  SidecarScrape,
} from '../../../server/model/sidecar-data.ts';

const INF = Number.POSITIVE_INFINITY;
const T0 = 1_700_000_000_000;

function counters(p: Partial<ClusterCounters> = {}): ClusterCounters {
  return {
    upstream_rq_total: 0,
    upstream_rq_xx: [0, 0, 0, 0, 0],
    upstream_rq_503: 0,
    upstream_rq_pending_overflow: 0,
    upstream_cx_overflow: 0,
    upstream_cx_none_healthy: 0,
    upstream_cx_connect_fail: 0,
    rqTime: undefined,
    ...p,
  };
}

function scrape(at: number, p: Partial<SidecarScrape> = {}, targetId = 'default/frontend/0'): SidecarScrape {
  return {
    targetId,
    at,
    clusters: new Map(),
    istio: [],
    hosts: new Map(),
    routes: [],
    runtime: new Map(),
    downstream: undefined,
    ...p,
  };
}

/** A cluster that served `n` requests so far: 90 % 2xx, 10 % 503 (of which overflow, UH, UF at fixed shares). */
function steady(n: number): ClusterCounters {
  return counters({
    upstream_rq_total: n,
    upstream_rq_xx: [0, 0.9 * n, 0, 0, 0.1 * n],
    upstream_rq_503: 0.1 * n,
    upstream_rq_pending_overflow: 0.02 * n,
    upstream_cx_overflow: 0.01 * n,
    upstream_cx_none_healthy: 0.01 * n,
    upstream_cx_connect_fail: 0.03 * n,
  });
}

function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}

describe('MetricsStore rates', () => {
  it('computes per-second rates over the window from its oldest and newest samples', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    // 20 requests per second, scraped every 5 s for 2 minutes.
    for (let s = 0; s <= 120; s += 5)
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['backend', steady(1000 + 20 * s)]]) }));
    c.set(T0 + 120_000);
    const t = store.clusterTraffic('default/frontend/0', 'backend')!;
    expect(t.rps).toBeCloseTo(20, 9);
    expect(t.status).toEqual({
      '2xx': expect.closeTo(18, 9),
      '3xx': 0,
      '4xx': 0,
      '5xx': expect.closeTo(2, 9),
    });
    expect(t.rate503).toBeCloseTo(2, 9);
    // upstream = 503 − (overflow 0.4 + 0.2) − UH 0.2 − UF 0.6 = 0.6
    expect(t.causes503.overflow).toBeCloseTo(0.6, 9);
    expect(t.causes503.noHealthyUpstream).toBeCloseTo(0.2, 9);
    expect(t.causes503.connectFailure).toBeCloseTo(0.6, 9);
    expect(t.causes503.upstream).toBeCloseTo(0.6, 9);
    expect(t.latencyMs).toBeNull();
    expect(store.updatedAt).toBe(T0 + 120_000);
  });

  it('keeps rates exact for counters far past float32 precision, over the fine and the coarse samples', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    // 7 requests per second on a counter near 5e9 (float32 steps there are 512), for 30 minutes.
    for (let s = 0; s <= 1800; s += 5)
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['big', steady(5e9 + 7 * s)]]) }));
    c.set(T0 + 1_800_000);
    expect(store.clusterTraffic('default/frontend/0', 'big')!.rps).toBe(7);
    const t = store.withWindow(1200).clusterTraffic('default/frontend/0', 'big')!;
    expect(t.rps).toBe(7);
    expect(t.status['5xx']).toBeCloseTo(0.7, 9);
  });

  it('uses only the samples inside the window', () => {
    const c = clock();
    // A fine ring of 2 min, so that a 90 s window is at full resolution too.
    const store = new MetricsStore({ now: c.now, fineSeconds: 120 });
    // 10 rps for the first minute, then 40 rps.
    let n = 0;
    for (let s = 0; s <= 120; s += 5) {
      if (s > 0) n += (s <= 60 ? 10 : 40) * 5;
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['b', counters({ upstream_rq_total: n })]]) }));
    }
    c.set(T0 + 120_000);
    // Window [60 s, 120 s]: samples at 60 … 120.
    expect(store.clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(40, 9);
    // Window [30 s, 120 s]: 30 s at 10 rps + 60 s at 40 rps over 90 s.
    expect(store.clusterTraffic('default/frontend/0', 'b', 90)?.rps).toBeCloseTo((300 + 2400) / 90, 9);
    // By default the fine ring spans the default window plus two intervals (16 samples: 45 s … 120 s):
    // [30 s, 120 s] starts at its oldest sample (15 s at 10 rps + 60 s at 40 rps over 75 s), and
    // [0 s, 120 s] at the coarse sample at 0 s.
    const coarse = new MetricsStore({ now: c.now });
    n = 0;
    for (let s = 0; s <= 120; s += 5) {
      if (s > 0) n += (s <= 60 ? 10 : 40) * 5;
      coarse.ingest(
        scrape(T0 + s * 1000, { clusters: new Map([['b', counters({ upstream_rq_total: n })]]) }),
      );
    }
    expect(coarse.clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(40, 9);
    expect(coarse.clusterTraffic('default/frontend/0', 'b', 90)?.rps).toBeCloseTo((150 + 2400) / 75, 9);
    expect(coarse.clusterTraffic('default/frontend/0', 'b', 120)?.rps).toBeCloseTo((600 + 2400) / 120, 9);
  });

  it("counts the router's local replies, which Envoy charges to a class but not to upstream_rq_total", () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(
      scrape(T0, {
        clusters: new Map([
          ['b', counters()],
          ['dead', counters()],
        ]),
      }),
    );
    const after = new Map([
      // 100 answered upstream, 4 connect failures answered 503 locally.
      ['b', counters({ upstream_rq_total: 100, upstream_rq_xx: [0, 100, 0, 0, 4], upstream_rq_503: 4 })],
      // Every host refuses connections: 50 local 503s and no upstream request at all.
      [
        'dead',
        counters({ upstream_rq_xx: [0, 0, 0, 0, 50], upstream_rq_503: 50, upstream_cx_connect_fail: 50 }),
      ],
    ]);
    store.ingest(scrape(T0 + 10_000, { clusters: after }));
    c.set(T0 + 10_000);
    expect(store.clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(10.4, 9);
    const dead = store.clusterTraffic('default/frontend/0', 'dead')!;
    expect(dead.rps).toBeCloseTo(5, 9);
    expect(dead.causes503.connectFailure).toBeCloseTo(5, 9);
  });

  it('never lets the causes exceed the 503s, nor the upstream share go negative', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    // Connect failures that retries recovered: counted by upstream_cx_connect_fail, not as 503s.
    store.ingest(scrape(T0, { clusters: new Map([['b', counters()]]) }));
    store.ingest(
      scrape(T0 + 10_000, {
        clusters: new Map([
          ['b', counters({ upstream_rq_total: 100, upstream_rq_503: 1, upstream_cx_connect_fail: 5 })],
        ]),
      }),
    );
    c.set(T0 + 10_000);
    const t = store.clusterTraffic('default/frontend/0', 'b')!;
    expect(t.rate503).toBeCloseTo(0.1, 9);
    // The cause takes at most the 503s (as the Prometheus source's split503 does).
    expect(t.causes503.connectFailure).toBeCloseTo(0.1, 9);
    expect(t.causes503.upstream).toBe(0);
  });

  it('does not count connections over max_connections whose requests waited and succeeded as UO 503s', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { clusters: new Map([['b', counters()]]) }));
    // As meshscope-proxy counted the lab's load test on the cluster that got no 503:
    // upstream_cx_overflow went up while the pending queue held the requests.
    store.ingest(
      scrape(T0 + 10_000, {
        clusters: new Map([
          [
            'b',
            counters({ upstream_rq_total: 20, upstream_rq_xx: [0, 20, 0, 0, 0], upstream_cx_overflow: 7 }),
          ],
        ]),
      }),
    );
    c.set(T0 + 10_000);
    const t = store.clusterTraffic('default/frontend/0', 'b')!;
    expect(t.rate503).toBe(0);
    expect(t.causes503.overflow).toBe(0);
  });

  it('gives zero rates for a single sample, and nothing for an unknown cluster or target', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { clusters: new Map([['b', steady(500)]]) }));
    expect(store.clusterTraffic('default/frontend/0', 'b')).toMatchObject({
      rps: 0,
      rate503: 0,
      latencyMs: null,
    });
    expect(store.clusterTraffic('default/frontend/0', 'other')).toBeUndefined();
    expect(store.clusterTraffic('nobody', 'b')).toBeUndefined();
    expect(store.istioTraffic('nobody')).toEqual([]);
    expect(store.inboundTraffic('default/frontend/0')).toBeUndefined();
  });

  it('shows no traffic once the newest sample has left the window (a target that stopped answering)', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now, expireAfterIntervals: 1000 });
    store.ingest(scrape(T0, { clusters: new Map([['b', steady(0)]]) }));
    store.ingest(scrape(T0 + 5000, { clusters: new Map([['b', steady(100)]]) }));
    c.set(T0 + 5000 + 61_000);
    expect(store.clusterTraffic('default/frontend/0', 'b')).toMatchObject({ rps: 0, latencyMs: null });
  });

  it('ignores a scrape that is not newer than the latest one', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { clusters: new Map([['b', steady(0)]]) }));
    store.ingest(scrape(T0 + 10_000, { clusters: new Map([['b', steady(100)]]) }));
    store.ingest(scrape(T0 + 5_000, { clusters: new Map([['b', steady(9999)]]) }));
    c.set(T0 + 10_000);
    expect(store.clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(10, 9);
    expect(store.latest('default/frontend/0')?.at).toBe(T0 + 10_000);
  });
});

describe('MetricsStore counter resets', () => {
  it('counts the new value after a restart mid-window as the increase since the reset', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    // 10 rps; the sidecar restarts between 30 s and 35 s, and has served 20 requests when scraped at 35 s.
    const totals = [5000, 5050, 5100, 5150, 5200, 5250, 5300, 20, 70, 120, 170, 220, 270];
    totals.forEach((n, i) => {
      store.ingest(
        scrape(T0 + i * 5000, {
          clusters: new Map([['b', counters({ upstream_rq_total: n, upstream_rq_xx: [0, n, 0, 0, 0] })]]),
        }),
      );
    });
    c.set(T0 + 60_000);
    const t = store.clusterTraffic('default/frontend/0', 'b')!;
    // Increase: 6 × 50 before, 20 across the restart, 5 × 50 after = 570 over 60 s.
    expect(t.rps).toBeCloseTo(570 / 60, 9);
    expect(t.status['2xx']).toBeCloseTo(570 / 60, 9);
    // Neither negative nor a spike: every 10 s sub-window stays within [0, 10] rps.
    for (let end = 10; end <= 60; end += 5) {
      c.set(T0 + end * 1000);
      const r = store.clusterTraffic('default/frontend/0', 'b', 10)!.rps;
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(10);
    }
  });

  it('treats every counter of a series as reset when one went down', () => {
    const inc = new Float64Array(3);
    // The total restarted from 0 (900 → 40); the 503 count grew past its old value in the meantime.
    expect(vectorIncrements([900, 10, 3], [40, 12, 4], inc)).toBe(true);
    expect([...inc]).toEqual([40, 12, 4]);
    expect(vectorIncrements([40, 12, 4], [60, 12, 6], inc)).toBe(false);
    expect([...inc]).toEqual([20, 0, 2]);
    expect(vectorIncrements(undefined, [60, 12, 6], inc)).toBe(false);
    expect([...inc]).toEqual([0, 0, 0]);
  });

  it('handles a restart in the histogram buckets as well', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    const le = [1, 5, 10, INF];
    const at = (i: number, total: number, buckets: number[]) =>
      store.ingest(
        scrape(T0 + i * 5000, {
          clusters: new Map([
            [
              'b',
              counters({
                upstream_rq_total: total,
                rqTime: { le, counts: buckets, sum: 0, count: buckets[3]! },
              }),
            ],
          ]),
        }),
      );
    at(0, 1000, [100, 600, 900, 1000]);
    at(1, 1100, [110, 660, 990, 1100]);
    at(2, 30, [0, 10, 30, 30]); // restarted
    at(3, 130, [10, 70, 120, 130]);
    c.set(T0 + 15_000);
    // Window increases: [10,60,90,100] + [0,10,30,30] + [10,60,90,100] = [20,130,210,230]
    const lat = store.clusterTraffic('default/frontend/0', 'b')!.latencyMs!;
    // p50: rank 115 in (1, 5] (20..130): 1 + 4 × 95 / 110
    expect(lat.p50).toBeCloseTo(1 + (4 * 95) / 110, 9);
    // p95: rank 218.5 only the +Inf bucket reaches: the highest finite bound
    expect(lat.p95).toBe(10);
    expect(store.clusterTraffic('default/frontend/0', 'b')!.rps).toBeCloseTo(230 / 15, 9);
  });
});

describe('MetricsStore quantiles', () => {
  it('computes p50/p95/p99 from the bucket increases over the window, as histogram_quantile does', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    const le = [1, 5, 10, 25, INF];
    const hist = (counts: number[]) =>
      counters({ upstream_rq_total: counts[4]!, rqTime: { le, counts, sum: 0, count: counts[4]! } });
    store.ingest(scrape(T0 - 120_000, { clusters: new Map([['b', hist([0, 0, 0, 0, 0])]]) }));
    // Outside the window: 1000 fast requests that must not count.
    store.ingest(scrape(T0 - 60_001, { clusters: new Map([['b', hist([1000, 1000, 1000, 1000, 1000])]]) }));
    store.ingest(scrape(T0 - 55_000, { clusters: new Map([['b', hist([1000, 1000, 1000, 1000, 1000])]]) }));
    // In the window: 200 requests, 40 ≤ 1, 100 in (1, 5], 50 in (5, 10], 8 in (10, 25], 2 above.
    store.ingest(scrape(T0, { clusters: new Map([['b', hist([1040, 1140, 1190, 1198, 1200])]]) }));
    c.set(T0);
    const t = store.clusterTraffic('default/frontend/0', 'b')!;
    expect(t.rps).toBeCloseTo(200 / 55, 9);
    // rank 100 in (1, 5] (40..140): 1 + 4 × 60 / 100 = 3.4
    expect(t.latencyMs!.p50).toBeCloseTo(3.4, 9);
    // rank 190 = top of (5, 10]: 10
    expect(t.latencyMs!.p95).toBeCloseTo(10, 9);
    // rank 198 = top of (10, 25]: 25
    expect(t.latencyMs!.p99).toBeCloseTo(25, 9);
  });

  it('has no latency for a window without observations', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    const le = [1, INF];
    const same = counters({ upstream_rq_total: 5, rqTime: { le, counts: [3, 5], sum: 1, count: 5 } });
    store.ingest(scrape(T0, { clusters: new Map([['b', same]]) }));
    store.ingest(scrape(T0 + 5000, { clusters: new Map([['b', same]]) }));
    c.set(T0 + 5000);
    expect(store.clusterTraffic('default/frontend/0', 'b')).toMatchObject({ rps: 0, latencyMs: null });
  });

  it('starts a series afresh when its bucket layout changes (the histogram appeared)', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { clusters: new Map([['b', counters({ upstream_rq_total: 3 })]]) }));
    const le = [1, INF];
    store.ingest(
      scrape(T0 + 5000, {
        clusters: new Map([
          ['b', counters({ upstream_rq_total: 10, rqTime: { le, counts: [4, 7], sum: 0, count: 7 } })],
        ]),
      }),
    );
    store.ingest(
      scrape(T0 + 10_000, {
        clusters: new Map([
          ['b', counters({ upstream_rq_total: 20, rqTime: { le, counts: [9, 17], sum: 0, count: 17 } })],
        ]),
      }),
    );
    c.set(T0 + 10_000);
    const t = store.clusterTraffic('default/frontend/0', 'b')!;
    expect(t.rps).toBeCloseTo(2, 9); // from the new series' two samples: 10 over 5 s
    expect(t.latencyMs!.p50).toBeCloseTo(1 * (5 / 5), 9); // rank 5 of 10 in [0, 1] holding 5
  });
});

describe('MetricsStore Istio and inbound traffic', () => {
  function istio(
    byCodeAndFlags: Record<string, number>,
    duration?: IstioDestinationCounters['duration'],
  ): IstioDestinationCounters {
    return {
      reporter: 'source',
      sourceWorkload: 'productpage-v1',
      sourceNamespace: 'default',
      destinationWorkload: 'reviews-v2',
      destinationNamespace: 'default',
      destinationService: 'reviews.default.svc.cluster.local',
      destinationApp: 'reviews',
      destinationVersion: 'v2',
      byCodeAndFlags,
      duration,
    };
  }

  it('reads status classes, 503 causes from response flags, and duration quantiles per destination', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    const le = [5, 10, INF];
    store.ingest(
      scrape(T0, { istio: [istio({ '200|-': 100 }, { le, counts: [50, 90, 100], sum: 0, count: 100 })] }),
    );
    store.ingest(
      scrape(T0 + 10_000, {
        istio: [
          istio(
            // New series since the last scrape grew from 0.
            { '200|-': 180, '404|-': 5, '503|UO': 4, '503|UH': 2, '503|UF,URX': 3, '503|-': 1, '0|DC': 5 },
            { le, counts: [90, 180, 200], sum: 0, count: 200 },
          ),
        ],
      }),
    );
    c.set(T0 + 10_000);
    const [entry] = store.istioTraffic('default/frontend/0');
    expect(entry?.key).toEqual({
      reporter: 'source',
      sourceWorkload: 'productpage-v1',
      sourceNamespace: 'default',
      destinationWorkload: 'reviews-v2',
      destinationNamespace: 'default',
      destinationService: 'reviews.default.svc.cluster.local',
      destinationApp: 'reviews',
      destinationVersion: 'v2',
    });
    const t = entry!.traffic;
    // 80 + 5 + 4 + 2 + 3 + 1 + 5 requests over 10 s; code 0 (downstream disconnect) has no class.
    expect(t.rps).toBeCloseTo(10, 9);
    expect(t.status).toEqual({
      '2xx': expect.closeTo(8, 9),
      '3xx': 0,
      '4xx': expect.closeTo(0.5, 9),
      '5xx': expect.closeTo(1, 9),
    });
    expect(t.rate503).toBeCloseTo(1, 9);
    expect(t.causes503.overflow).toBeCloseTo(0.4, 9);
    expect(t.causes503.noHealthyUpstream).toBeCloseTo(0.2, 9);
    expect(t.causes503.connectFailure).toBeCloseTo(0.3, 9);
    expect(t.causes503.upstream).toBeCloseTo(0.1, 9);
    // Bucket increases [40, 90, 100]: p50 rank 50 in (5, 10] (40..90): 5 + 5 × 10 / 50 = 6
    expect(t.latencyMs!.p50).toBeCloseTo(6, 9);
    expect(t.latencyMs!.p99).toBe(10);
  });

  it('does not take a vanished response-code series for a restart', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { istio: [istio({ '200|-': 1000, '503|UF': 50 })] }));
    // The 503 series was evicted; the 200s kept counting.
    store.ingest(scrape(T0 + 10_000, { istio: [istio({ '200|-': 1100 })] }));
    c.set(T0 + 10_000);
    expect(store.istioTraffic('default/frontend/0')[0]?.traffic.rps).toBeCloseTo(10, 9);
  });

  it('reads the inbound listener rates', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now });
    store.ingest(scrape(T0, { downstream: { rq_total: 100, rq_xx: [0, 90, 0, 10, 0] } }));
    store.ingest(scrape(T0 + 4000, { downstream: { rq_total: 140, rq_xx: [0, 126, 0, 12, 2] } }));
    c.set(T0 + 4000);
    expect(store.inboundTraffic('default/frontend/0')).toMatchObject({
      rps: 10,
      status: { '2xx': 9, '3xx': 0, '4xx': 0.5, '5xx': 0.5 },
      latencyMs: null,
    });
  });
});

describe('MetricsStore windows and history', () => {
  it('serves windows longer than the fine ring from the coarse samples', () => {
    const c = clock();
    // Fine ring: 2 min; coarse: one sample a minute for an hour.
    const store = new MetricsStore({ now: c.now, windowSeconds: 60 });
    let n = 0;
    for (let s = 0; s <= 1800; s += 5) {
      if (s > 0) n += (s <= 900 ? 5 : 25) * 5;
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['b', counters({ upstream_rq_total: n })]]) }));
    }
    c.set(T0 + 1_800_000);
    // 20 minutes back is past the 2-minute fine ring: the window starts at the coarse sample at 600 s.
    const view = store.withWindow(1200);
    expect(view.windowSeconds).toBe(1200);
    // [600, 1800]: 300 s at 5 rps + 900 s at 25 rps over 1200 s.
    expect(view.clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo((1500 + 22500) / 1200, 9);
    // An hour (more than was kept): from the first sample, 1800 s.
    expect(store.withWindow(3600).clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(
      (4500 + 22500) / 1800,
      9,
    );
    expect(store.withWindow(60)).toBe(store);
    expect(store.withWindow(60).clusterTraffic('default/frontend/0', 'b')?.rps).toBeCloseTo(25, 9);
  });

  it('forgets targets not scraped for N intervals, and on request', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now, intervalMs: 5000, expireAfterIntervals: 3 });
    store.ingest(scrape(T0, { clusters: new Map([['b', steady(0)]]) }, 'a'));
    store.ingest(scrape(T0, { clusters: new Map([['b', steady(0)]]) }, 'b'));
    for (let s = 5; s <= 20; s += 5)
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['b', steady(s)]]) }, 'b'));
    // `a` was last seen 20 s ago, more than 3 × 5 s: gone. `b` stays.
    expect(store.latest('a')).toBeUndefined();
    expect(store.latest('b')).toBeDefined();
    store.forget('b');
    expect(store.latest('b')).toBeUndefined();
    expect(store.stats().targets).toBe(0);
  });

  it('drops series idle for the whole history', () => {
    const c = clock();
    const store = new MetricsStore({ now: c.now, historySeconds: 60, intervalMs: 5000 });
    store.ingest(
      scrape(T0, {
        clusters: new Map([
          ['old', steady(0)],
          ['b', steady(0)],
        ]),
      }),
    );
    for (let s = 5; s <= 70; s += 5)
      store.ingest(scrape(T0 + s * 1000, { clusters: new Map([['b', steady(s)]]) }));
    expect(store.clusterTraffic('default/frontend/0', 'old')).toBeUndefined();
    expect(store.stats().series).toBe(1);
  });
});

describe('MetricsStore memory', () => {
  it('caps the series of one target and counts the ones it did not track', () => {
    const store = new MetricsStore({ maxSeriesPerTarget: 100 });
    const clusters = new Map(Array.from({ length: 250 }, (_, i) => [`c${i}`, steady(i)] as const));
    store.ingest(scrape(T0, { clusters, downstream: { rq_total: 1, rq_xx: [0, 1, 0, 0, 0] } }));
    expect(store.stats()).toMatchObject({ targets: 1, series: 100, droppedSeries: 151 });
    expect(store.clusterTraffic('default/frontend/0', 'c99')).toBeDefined();
    expect(store.clusterTraffic('default/frontend/0', 'c100')).toBeUndefined();
  });

  it('holds a constant number of bytes per series however long it runs', () => {
    const le = [...DEFAULT_BUCKETS, INF];
    const store = new MetricsStore();
    const ingest = (i: number) =>
      store.ingest(
        scrape(T0 + i * 5000, {
          clusters: new Map(
            Array.from(
              { length: 10 },
              (_, k) =>
                [
                  `c${k}`,
                  counters({
                    upstream_rq_total: i,
                    rqTime: { le, counts: le.map(() => i), sum: 0, count: i },
                  }),
                ] as const,
            ),
          ),
        }),
      );
    ingest(0);
    const first = store.stats().bytes;
    // Two hours of 5 s scrapes.
    for (let i = 1; i <= 1440; i++) ingest(i);
    const after = store.stats();
    expect(after.bytes).toBe(first);
    // The documented bound: (16 fine (60 s window + 2 intervals, + 2) + 61 coarse) samples × (8 B time
    // + (11 + 20) × 4 B increments), plus the two running totals.
    expect(after.bytes / after.series).toBe((16 + 61) * (8 + 31 * 4) + 2 * 31 * 8);
  });
});
