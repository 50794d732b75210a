import { describe, expect, it } from 'vitest';
import { computeQuantiles, HistogramIntervals } from '../../../proxy/stats/histogram-quantiles.ts';
import { quantileSummary, renderJson, renderText } from '../../../proxy/stats/render-text.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';

function sampleStore(): StatsStore {
  const store = new StatsStore();
  store.counter('http.ingress_http.downstream_rq_total').inc(5);
  store.counter('cluster.b.upstream_rq_total').inc(2);
  store.gauge('cluster.b.upstream_cx_active').set(1);
  store.gauge('server.live').set(1);
  for (const v of [2, 4, 8, 16]) store.histogram('cluster.b.upstream_rq_time').record(v);
  store.histogram('cluster.a.upstream_rq_time');
  return store;
}

const SUMMARY =
  /^P0\(([^,]+),([^)]+)\) P25\(([^,]+),([^)]+)\) P50\(([^,]+),([^)]+)\) P75\(([^,]+),([^)]+)\) P90\(([^,]+),([^)]+)\) P95\(([^,]+),([^)]+)\) P99\(([^,]+),([^)]+)\) P99\.5\(([^,]+),([^)]+)\) P99\.9\(([^,]+),([^)]+)\) P100\(([^,]+),([^)]+)\)$/;

describe('renderText', () => {
  it('lists counters and gauges merged by name, then histograms by name', () => {
    const lines = renderText(sampleStore()).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'cluster.b.upstream_cx_active: 1',
      'cluster.b.upstream_rq_total: 2',
      'http.ingress_http.downstream_rq_total: 5',
      'server.live: 1',
    ]);
    expect(lines[4]).toBe('cluster.a.upstream_rq_time: No recorded values');
    expect(lines[5]).toMatch(/^cluster\.b\.upstream_rq_time: P0\(nan,/);
    expect(lines[6]).toBe('');
  });

  it('summaries have Envoy’s shape; the interval column fills in after a flush period', () => {
    const store = sampleStore();
    const h = store.histogram('cluster.b.upstream_rq_time');
    const intervals = new HistogramIntervals(5000);
    const first = quantileSummary(h, intervals, 0);
    const m = SUMMARY.exec(first);
    expect(m).not.toBeNull();
    expect(m![1]).toBe('nan'); // no completed interval yet
    expect(Number(m![20])).toBe(25); // P100 cumulative: top of the bucket holding 16
    h.record(700);
    h.record(700);
    const later = SUMMARY.exec(quantileSummary(h, intervals, 6000))!;
    // Interval = only the two 700 ms samples, in the (500, 1000] bucket.
    expect(Number(later[1])).toBe(500);
    expect(Number(later[19])).toBe(1000);
    expect(Number(later[20])).toBe(1000);
  });

  it('applies usedonly and filter', () => {
    const text = renderText(sampleStore(), { usedOnly: true, filter: /^cluster\./ });
    expect(text).not.toContain('server.live');
    expect(text).not.toContain('cluster.a.upstream_rq_time');
    expect(text).toContain('cluster.b.upstream_rq_total: 2');
  });
});

describe('renderJson', () => {
  it('has Envoy’s layout: stats list, histograms object last, NaN as null', () => {
    const doc = JSON.parse(renderJson(sampleStore()));
    expect(doc.stats.slice(0, 2)).toEqual([
      { name: 'cluster.b.upstream_cx_active', value: 1 },
      { name: 'cluster.b.upstream_rq_total', value: 2 },
    ]);
    const last = doc.stats[doc.stats.length - 1];
    expect(Object.keys(last)).toEqual(['histograms']);
    expect(last.histograms.supported_quantiles).toEqual([0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100]);
    const [a, b] = last.histograms.computed_quantiles;
    expect(a.name).toBe('cluster.a.upstream_rq_time');
    expect(a.values[0]).toEqual({ cumulative: null, interval: null });
    expect(b.values).toHaveLength(10);
    expect(b.values[9]).toEqual({ cumulative: 25, interval: null });
  });

  it('has no histograms entry when no histogram is selected', () => {
    const doc = JSON.parse(renderJson(sampleStore(), { filter: /server/ }));
    expect(doc).toEqual({ stats: [{ name: 'server.live', value: 1 }] });
  });
});

describe('computeQuantiles', () => {
  it('interpolates inside buckets and gives NaN when empty', () => {
    expect(computeQuantiles([1, 2], [0, 0, 0])).toEqual(Array(10).fill(Number.NaN));
    expect(computeQuantiles([10, 20], [0, 4, 0], [0, 0.5, 1])).toEqual([10, 15, 20]);
    expect(computeQuantiles([10, 20], [0, 0, 3], [0.5])).toEqual([20]);
  });
});
