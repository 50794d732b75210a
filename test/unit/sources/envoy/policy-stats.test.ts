import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPrometheus } from '../../../../proxy/stats/render-prometheus.ts';
import { StatsStore } from '../../../../proxy/stats/store.ts';
import { computeTags } from '../../../../proxy/stats/tag-extraction.ts';
import { parsePrometheusText } from '../../../../server/metrics/prom-text-parser.ts';
import { STATS_FILTER } from '../../../../server/sources/envoy/admin-paths.ts';
import { extractPolicyCounters } from '../../../../server/sources/envoy/policy-stats.ts';
import { extractStats } from '../../../../server/sources/envoy/stats-extract.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

describe("the fault filter's stats under Envoy's default tag extraction", () => {
  it('tags the HCM prefix, and the downstream cluster when the request named one', () => {
    expect(computeTags('http.egress_http.fault.aborts_injected')).toMatchObject({
      name: 'envoy_http_fault_aborts_injected',
      tags: [['envoy_http_conn_manager_prefix', 'egress_http']],
    });
    const named = computeTags('http.egress_http.fault.frontend.delays_injected');
    expect(named.name).toBe('envoy_http_fault_delays_injected');
    expect(Object.fromEntries(named.tags)).toEqual({
      envoy_fault_downstream_cluster: 'frontend',
      envoy_http_conn_manager_prefix: 'egress_http',
    });
  });
});

describe('extractPolicyCounters', () => {
  /** Stats as a sidecar renders them: Envoy's dotted names through the proxy's /stats/prometheus. */
  function scrape(counters: Record<string, number>, gauges: Record<string, number> = {}) {
    const store = new StatsStore();
    for (const [name, v] of Object.entries(counters)) store.counter(name).inc(v);
    for (const [name, v] of Object.entries(gauges)) store.gauge(name).set(v);
    return parsePrometheusText(renderPrometheus(store));
  }

  it('reads retries, retry overflows and timeouts per cluster, and faults per HCM prefix', () => {
    const parsed = scrape({
      'cluster.backend_v1.upstream_rq_retry': 7,
      'cluster.backend_v1.upstream_rq_retry_overflow': 2,
      'cluster.backend_v1.upstream_rq_retry_success': 5,
      'cluster.backend_v1.upstream_rq_timeout': 3,
      'cluster.backend.v2.upstream_rq_retry': 4,
      'http.egress_http.fault.aborts_injected': 6,
      'http.egress_http.fault.frontend.aborts_injected': 1,
      'http.egress_http.fault.delays_injected': 9,
      'http.ingress_http.fault.delays_injected': 2,
    });
    const p = extractPolicyCounters(parsed, ['backend_v1', 'backend.v2']);
    expect(p.clusters.get('backend_v1')).toEqual({
      upstream_rq_retry: 7,
      upstream_rq_retry_overflow: 2,
      upstream_rq_timeout: 3,
    });
    // The dotted cluster name's tail stays in the metric name (`envoy_cluster_v2_upstream_rq_retry`).
    expect(p.clusters.get('backend.v2')?.upstream_rq_retry).toBe(4);
    expect(p.faults.get('egress_http')).toEqual({ aborts: 7, delays: 9 });
    expect(p.faults.get('ingress_http')).toEqual({ aborts: 0, delays: 2 });
  });

  it('comes through extractStats with the breaker gauges beside it', () => {
    const parsed = scrape(
      { 'cluster.backend_v1.upstream_rq_retry': 1 },
      {
        'cluster.backend_v1.circuit_breakers.default.rq_pending_open': 1,
        'cluster.backend_v1.circuit_breakers.default.cx_open': 0,
      },
    );
    const s = extractStats(parsed, { clusterNames: ['backend_v1'] });
    expect(s.policyCounters.clusters.get('backend_v1')?.upstream_rq_retry).toBe(1);
    expect(s.gauges.get('backend_v1')?.openBreakers).toEqual(['default.rq_pending_open']);
  });

  it('asks the sidecar for these stats (the scrape filter keeps them)', () => {
    const filter = new RegExp(STATS_FILTER);
    for (const name of [
      'cluster.b.upstream_rq_retry',
      'cluster.b.upstream_rq_retry_overflow',
      'cluster.b.upstream_rq_timeout',
      'cluster.b.circuit_breakers.default.cx_open',
      'cluster.b.circuit_breakers.high.rq_pending_open',
      'cluster.b.outlier_detection.ejections_active',
      'cluster.b.membership_healthy',
      'cluster.b.membership_total',
      'http.egress_http.fault.aborts_injected',
      'http.egress_http.fault.frontend.delays_injected',
    ]) {
      expect(filter.test(name), name).toBe(true);
    }
    expect(filter.test('cluster.b.upstream_rq_retry_success')).toBe(false);
    expect(filter.test('http.egress_http.fault.active_faults')).toBe(false);
  });

  it("reads a Consul dataplane's merged stats (extra tags, virtual-cluster look-alikes left out)", () => {
    const text = readFileSync(
      join(ENVOY_FIXTURES, 'envoy_stats_prometheus_consul_dataplane_merged.txt'),
      'utf8',
    );
    const zero = extractPolicyCounters(parsePrometheusText(text));
    expect([...zero.clusters.keys()].sort()).toEqual([
      'consul-dataplane',
      'local_app',
      'original-destination',
      'prometheus_backend',
    ]);
    expect(zero.clusters.get('local_app')).toEqual({
      upstream_rq_retry: 0,
      upstream_rq_retry_overflow: 0,
      upstream_rq_timeout: 0,
    });
    // The same document after three retries to local_app: only that series changes.
    const retried = text.replace(
      /^(envoy_cluster_upstream_rq_retry\{[^}]*envoy_cluster_name="local_app"\}) 0$/m,
      '$1 3',
    );
    expect(retried).not.toBe(text);
    const p = extractPolicyCounters(parsePrometheusText(retried));
    expect(p.clusters.get('local_app')?.upstream_rq_retry).toBe(3);
    expect(p.clusters.get('consul-dataplane')?.upstream_rq_retry).toBe(0);
  });
});
