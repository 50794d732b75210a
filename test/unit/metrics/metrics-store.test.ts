// MetricsStore: window rates, 503 causes and counter resets. Scrapes are built by hand; the clock is the
// test's. Quantiles, Istio telemetry, long windows, expiry and memory: metrics-store-history.test.ts.
import { describe, expect, it } from 'vitest';
import { vectorIncrements } from '../../../server/metrics/counter-increments.ts';
import { MetricsStore } from '../../../server/metrics/metrics-store.ts';
import { clock, counters, INF, scrape, steady, T0 } from './store-test-data.ts';

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
