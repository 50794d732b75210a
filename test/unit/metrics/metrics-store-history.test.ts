// MetricsStore: quantiles, Istio and inbound telemetry, windows beyond the fine ring, expiry and bounded
// memory. Scrapes are built by hand; the clock is the test's. Rates and resets: metrics-store.test.ts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS } from '../../../proxy/stats/store.ts';
import { MetricsStore } from '../../../server/metrics/metrics-store.ts';
import type { IstioDestinationCounters } from '../../../server/model/sidecar-data.ts';
import { clock, counters, INF, scrape, steady, T0 } from './store-test-data.ts';

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
