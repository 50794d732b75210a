import { readFileSync } from 'node:fs';
import { getMetricsFromIterator, type PromData, type PromHistogramData } from 'prom2javascript';
import { describe, expect, it } from 'vitest';
import { formatG } from '../../../proxy/stats/format-number.ts';
import { renderPrometheus } from '../../../proxy/stats/render-prometheus.ts';
import { parseStatsParams } from '../../../proxy/stats/stats-params.ts';
import { StatsStore } from '../../../proxy/stats/store.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const PLAIN = readFileSync(`${ENVOY_FIXTURES}/envoy_stats_prometheus_plain_envoy_demo.txt`, 'utf8');

function typeLines(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('# TYPE '));
}

async function parse(text: string) {
  return getMetricsFromIterator(text.split('\n')[Symbol.iterator]());
}

describe('renderPrometheus', () => {
  it('orders families like Envoy: kinds, then dotted tag-extracted names (fixture order)', () => {
    const store = new StatsStore();
    // Shuffled on purpose; all of these are counters/gauges/histograms in the fixture.
    const counters = [
      'workers.watchdog_miss',
      'http1.dropped_headers_with_underscores',
      'listener_manager.listener_added',
      'cluster_manager.cluster_added',
      'listener.0.0.0.0_10000.worker_0.downstream_cx_total',
      'listener.admin.downstream_cx_total',
      'http.ingress_http.downstream_rq_2xx',
      'listener.0.0.0.0_10000.downstream_cx_total',
      'envoy.overload_actions.reset_high_memory_stream_count',
      'cluster.service_envoyproxy_io.upstream_rq_total',
      'http.ingress_http.no_route',
      'listener.admin.main_thread.downstream_cx_total',
      'cluster.service_envoyproxy_io.assignment_stale',
      'server.worker_0.watchdog_miss',
    ];
    for (const n of counters) store.counter(n);
    store.gauge('server.uptime');
    store.gauge('cluster.service_envoyproxy_io.circuit_breakers.default.cx_open');
    store.gauge('cluster_manager.active_clusters');
    store.histogram('server.initialization_time_ms');
    store.histogram('cluster.service_envoyproxy_io.upstream_cx_connect_ms');

    const ours = typeLines(renderPrometheus(store));
    const wanted = new Set(ours);
    const fixtureOrder = typeLines(PLAIN).filter((l) => wanted.has(l));
    expect(ours).toHaveLength(counters.length + 5);
    expect(ours).toEqual(fixtureOrder);
  });

  it('prints a histogram exactly like the fixture (server.initialization_time_ms = 76.5 once)', () => {
    const store = new StatsStore();
    store.histogram('server.initialization_time_ms').record(76.5);
    const start = PLAIN.indexOf('# TYPE envoy_server_initialization_time_ms histogram');
    const expected = PLAIN.slice(start).split('\n').slice(0, 23).join('\n');
    expect(renderPrometheus(store)).toBe(`${expected}\n`);
  });

  it('series of a family are ordered by full name token by token, one TYPE line each', () => {
    const store = new StatsStore();
    for (const w of [10, 2, 1, 0]) store.counter(`server.worker_${w}.watchdog_miss`).inc(w);
    const text = renderPrometheus(store);
    expect(text).toBe(
      [
        '# TYPE envoy_server_worker_watchdog_miss counter',
        'envoy_server_worker_watchdog_miss{envoy_worker_id="0"} 0',
        'envoy_server_worker_watchdog_miss{envoy_worker_id="1"} 1',
        'envoy_server_worker_watchdog_miss{envoy_worker_id="10"} 10',
        'envoy_server_worker_watchdog_miss{envoy_worker_id="2"} 2',
        '',
      ].join('\n'),
    );
    // Token order differs from plain string order when a token is a prefix of a longer one.
    const tokens = new StatsStore();
    tokens.counter('cluster.a-b.upstream_rq_total');
    tokens.counter('cluster.a.upstream_rq_total');
    expect(renderPrometheus(tokens).split('\n').slice(1, 3)).toEqual([
      'envoy_cluster_upstream_rq_total{envoy_cluster_name="a"} 0',
      'envoy_cluster_upstream_rq_total{envoy_cluster_name="a-b"} 0',
    ]);
  });

  it('round-trips through a Prometheus parser with the same values', async () => {
    const store = new StatsStore();
    store.counter('cluster.backend_v1.upstream_rq_200').inc(7);
    store.counter('cluster.backend_v2.upstream_rq_200').inc(3);
    store.counter('cluster.backend_v1.upstream_rq_503').inc(2);
    store.counter('http.ingress_http.downstream_rq_total').inc(12);
    store.gauge('cluster.backend_v1.upstream_cx_active').set(4);
    store.gauge('server.live').set(1);
    const h = store.histogram('cluster.backend_v1.upstream_rq_time');
    for (const v of [0.3, 3, 3, 70, 2000, 5_000_000]) h.record(v);

    const m = await parse(renderPrometheus(store));
    const rq = m['envoy_cluster_upstream_rq']!;
    expect(rq.type).toBe('counter');
    const byLabels = (rq.data as PromData[]).map((d) => [d.labels, d.value]);
    expect(byLabels).toEqual([
      [{ envoy_response_code: '200', envoy_cluster_name: 'backend_v1' }, 7],
      [{ envoy_response_code: '503', envoy_cluster_name: 'backend_v1' }, 2],
      [{ envoy_response_code: '200', envoy_cluster_name: 'backend_v2' }, 3],
    ]);
    expect((m['envoy_server_live']!.data as PromData[])[0]).toMatchObject({ labels: {}, value: 1 });
    expect(m['envoy_cluster_upstream_cx_active']!.type).toBe('gauge');

    const hist = (m['envoy_cluster_upstream_rq_time']!.data as PromHistogramData[])[0]!;
    expect(hist.labels).toEqual({ envoy_cluster_name: 'backend_v1' });
    expect(hist.count).toBe(6);
    expect(hist.sum).toBeCloseTo(5_002_076.3, 6);
    expect(hist.buckets['0.5']).toBe(1);
    expect(hist.buckets['5']).toBe(3);
    expect(hist.buckets['100']).toBe(4);
    expect(hist.buckets['2500']).toBe(5);
    expect(hist.buckets['3600000']).toBe(5);
    expect(hist.buckets['+Inf']).toBe(6);
  });

  it('usedonly and filter (regex searched in the dotted name)', () => {
    const store = new StatsStore();
    store.counter('cluster.backend_v1.upstream_rq_total').inc();
    store.counter('cluster.backend_v2.upstream_rq_total');
    store.gauge('server.live');
    expect(renderPrometheus(store, { usedOnly: true })).toBe(
      '# TYPE envoy_cluster_upstream_rq_total counter\nenvoy_cluster_upstream_rq_total{envoy_cluster_name="backend_v1"} 1\n',
    );
    const filtered = renderPrometheus(store, { filter: /cluster\.backend_v2\./ });
    expect(filtered).toContain('envoy_cluster_name="backend_v2"');
    expect(filtered).not.toContain('backend_v1');
    expect(filtered).not.toContain('server_live');
  });

  it('escapes label values', () => {
    const store = new StatsStore();
    store.counter('cluster.a"b\\c.upstream_rq_total');
    expect(renderPrometheus(store)).toContain('{envoy_cluster_name="a\\"b\\\\c"} 0');
  });
});

describe('parseStatsParams', () => {
  it('reads usedonly, filter and format, and rejects a bad regex or format', () => {
    const ok = parseStatsParams(new URLSearchParams('usedonly&filter=cluster\\.x\\.&format=json'));
    expect(ok.ok && ok.params.usedOnly && ok.params.format === 'json' && ok.params.filter?.source).toBe(
      'cluster\\.x\\.',
    );
    expect(parseStatsParams(new URLSearchParams('filter=(unclosed'))).toEqual({
      ok: false,
      error: 'Invalid re2 regex',
    });
    const bad = parseStatsParams(new URLSearchParams('format=yaml'));
    expect(bad.ok).toBe(false);
  });
});

describe('formatG (printf %.32g)', () => {
  it.each([
    [76.5, '76.5'],
    [0.5, '0.5'],
    [3600000, '3600000'],
    [0, '0'],
    [0.1, '0.10000000000000000555111512312578'],
    [1e-5, '1.0000000000000000818030539140313e-05'],
    [1e40, '1.0000000000000000303786028427004e+40'],
    [Number.NaN, 'nan'],
  ])('%d → %s (same as C printf)', (x, s) => {
    expect(formatG(x)).toBe(s);
  });
});
