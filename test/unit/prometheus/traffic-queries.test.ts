import { describe, expect, it } from 'vitest';
import {
  histogramQuantile,
  promDuration,
  quoteLabelValue,
  selector,
  sumRate,
  union,
} from '../../../server/sources/prometheus/promql-builders.ts';
import { trafficQueries } from '../../../server/sources/prometheus/traffic-queries.ts';

describe('PromQL builders', () => {
  it('writes windows in the largest whole unit', () => {
    expect(promDuration(60)).toBe('1m');
    expect(promDuration(90)).toBe('90s');
    expect(promDuration(7200)).toBe('2h');
    expect(() => promDuration(0)).toThrow(/whole seconds/);
    expect(() => promDuration(1.5)).toThrow(/whole seconds/);
  });

  it('escapes label values and rejects bad names', () => {
    expect(quoteLabelValue('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(selector('up')).toBe('up');
    expect(selector('up', [['job', '=', 'x']], ' env="prod" ')).toBe('up{job="x",env="prod"}');
    expect(selector('up', [], 'job="x"')).toBe('up{job="x"}');
    expect(() => selector('up', [['bad-label', '=', 'x']])).toThrow(/label name/);
    expect(() => selector('no such', [])).toThrow(/metric name/);
  });

  it('sums rates by the kept labels, once each', () => {
    expect(sumRate('x_total', '1m', ['instance', 'c', 'instance'])).toBe(
      'sum by (instance, c) (rate(x_total[1m]))',
    );
  });

  it('keeps le through the sum under histogram_quantile', () => {
    expect(histogramQuantile(0.95, 'h_bucket', '30s', ['instance'])).toBe(
      'histogram_quantile(0.95, sum by (le, instance) (rate(h_bucket[30s])))',
    );
    expect(() => histogramQuantile(1.5, 'h_bucket', '30s', [])).toThrow(/quantile/);
  });

  it('unions alternatives in parentheses, and leaves one alone', () => {
    expect(union(['a', 'b'])).toBe('(a) or (b)');
    expect(union(['a'])).toBe('a');
  });
});

describe('trafficQueries', () => {
  const byInstance = trafficQueries({ windowSeconds: 60, matching: { by: 'instance' } });

  it('asks for cluster rates per sidecar and cluster, under both tag names', () => {
    expect(byInstance.clusterRq).toBe(
      'sum by (instance, envoy_cluster_name, cluster_name) (rate(envoy_cluster_upstream_rq_total[1m]))',
    );
    expect(byInstance.clusterRqXx).toBe(
      'sum by (instance, envoy_cluster_name, cluster_name, envoy_response_code_class, response_code_class) ' +
        '(rate(envoy_cluster_upstream_rq_xx[1m]))',
    );
    expect(byInstance.clusterRq503).toBe(
      '(sum by (instance, envoy_cluster_name, cluster_name) ' +
        '(rate(envoy_cluster_upstream_rq{envoy_response_code="503"}[1m]))) or ' +
        '(sum by (instance, envoy_cluster_name, cluster_name) ' +
        '(rate(envoy_cluster_upstream_rq{response_code="503"}[1m])))',
    );
    expect(byInstance.clusterCxConnectFail).toBe(
      'sum by (instance, envoy_cluster_name, cluster_name) (rate(envoy_cluster_upstream_cx_connect_fail[1m]))',
    );
    expect(byInstance.clusterLatency_p99).toBe(
      'histogram_quantile(0.99, sum by (le, instance, envoy_cluster_name, cluster_name) ' +
        '(rate(envoy_cluster_upstream_rq_time_bucket[1m])))',
    );
  });

  it('asks for every cause counter and three quantiles of each histogram', () => {
    expect(Object.keys(byInstance).sort()).toEqual(
      [
        'clusterRq',
        'clusterRqXx',
        'clusterRq503',
        'clusterPendingOverflow',
        'clusterCxOverflow',
        'clusterCxNoneHealthy',
        'clusterCxConnectFail',
        'clusterLatency_p50',
        'clusterLatency_p95',
        'clusterLatency_p99',
        'istioRq',
        'istioLatency_p50',
        'istioLatency_p95',
        'istioLatency_p99',
        'inboundRq',
        'inboundRqXx',
        'inboundLatency_p50',
        'inboundLatency_p95',
        'inboundLatency_p99',
      ].sort(),
    );
    expect(byInstance.clusterPendingOverflow).toContain('envoy_cluster_upstream_rq_pending_overflow[1m]');
    expect(byInstance.clusterCxOverflow).toContain('envoy_cluster_upstream_cx_overflow[1m]');
    expect(byInstance.clusterCxNoneHealthy).toContain('envoy_cluster_upstream_cx_none_healthy[1m]');
    expect(byInstance.clusterLatency_p50).toMatch(/^histogram_quantile\(0\.5, /);
    expect(byInstance.clusterLatency_p95).toMatch(/^histogram_quantile\(0\.95, /);
  });

  it('groups Istio telemetry by reporter, workloads, service, app and version, and code and flags', () => {
    expect(byInstance.istioRq).toBe(
      'sum by (instance, reporter, source_workload, source_workload_namespace, destination_workload, ' +
        'destination_workload_namespace, destination_service, destination_app, destination_version, ' +
        'response_code, response_flags) (rate(istio_requests_total[1m]))',
    );
    expect(byInstance.istioLatency_p50).toContain('rate(istio_request_duration_milliseconds_bucket[1m])');
    expect(byInstance.istioLatency_p50).not.toContain('response_code');
  });

  it('counts the inbound HCMs only (as the scrape path does), less admin, metrics and outbound ones', () => {
    expect(byInstance.inboundRq).toBe(
      'sum by (instance) (rate(envoy_http_downstream_rq_total{' +
        'envoy_http_conn_manager_prefix=~"(inbound.*|public_listener)?",' +
        'http_conn_manager_prefix=~"(inbound.*|public_listener)?",' +
        'envoy_http_conn_manager_prefix!~"admin|envoy_prometheus_metrics|stats|outbound_.*",' +
        'http_conn_manager_prefix!~"admin|envoy_prometheus_metrics|stats|outbound_.*"}[1m]))',
    );
  });

  it('groups by namespace and pod labels, adds raw matchers everywhere, and uses the window', () => {
    const q = trafficQueries({
      windowSeconds: 30,
      matching: { by: 'pod', namespaceLabel: 'kubernetes_namespace', podLabel: 'kubernetes_pod_name' },
      extraMatchers: 'job="envoy-stats"',
      inboundExclude: 'admin',
    });
    expect(q.clusterRq).toBe(
      'sum by (kubernetes_namespace, kubernetes_pod_name, envoy_cluster_name, cluster_name) ' +
        '(rate(envoy_cluster_upstream_rq_total{job="envoy-stats"}[30s]))',
    );
    expect(q.inboundRqXx).toBe(
      'sum by (kubernetes_namespace, kubernetes_pod_name, envoy_response_code_class, response_code_class) ' +
        '(rate(envoy_http_downstream_rq_xx{envoy_http_conn_manager_prefix=~"(inbound.*|public_listener)?",' +
        'http_conn_manager_prefix=~"(inbound.*|public_listener)?",envoy_http_conn_manager_prefix!~"admin",' +
        'http_conn_manager_prefix!~"admin",job="envoy-stats"}[30s]))',
    );
    for (const promql of Object.values(q)) {
      expect(promql).toContain('job="envoy-stats"');
      expect(promql).toContain('[30s]');
      expect(promql).not.toContain('instance');
    }
  });
});
