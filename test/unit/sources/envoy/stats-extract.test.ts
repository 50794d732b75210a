import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS } from '../../../../proxy/stats/store.ts';
import { parsePrometheusText } from '../../../../server/metrics/prom-text-parser.ts';
import { classifyClusterFamily } from '../../../../server/sources/envoy/cluster-stats.ts';
import { extractStats } from '../../../../server/sources/envoy/stats-extract.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const fixture = (name: string) => parsePrometheusText(readFileSync(join(ENVOY_FIXTURES, name), 'utf8'));
const ENVOY_BUCKETS = [...DEFAULT_BUCKETS, Number.POSITIVE_INFINITY];

describe('extractStats on plain Envoy (envoy_stats_prometheus_plain_envoy_demo.txt)', () => {
  const parsed = fixture('envoy_stats_prometheus_plain_envoy_demo.txt');

  it('reads the one cluster, idle, by its envoy_cluster_name tag', () => {
    const { clusters } = extractStats(parsed);
    expect([...clusters.keys()]).toEqual(['service_envoyproxy_io']);
    expect(clusters.get('service_envoyproxy_io')).toEqual({
      upstream_rq_total: 0,
      upstream_rq_xx: [0, 0, 0, 0, 0],
      upstream_rq_503: 0,
      upstream_rq_pending_overflow: 0,
      upstream_cx_overflow: 0,
      upstream_cx_none_healthy: 0,
      upstream_cx_connect_fail: 0,
      // The demo's cluster never answered: Envoy printed no upstream_rq_time series for it.
      rqTime: undefined,
    });
  });

  it('takes no HCM as inbound by default (ingress_http, admin), and the chosen one when told', () => {
    expect(extractStats(parsed).downstream).toBeUndefined();
    expect(extractStats(parsed, { isInboundHcm: (p) => p === 'ingress_http' }).downstream).toEqual({
      rq_total: 0,
      rq_xx: [0, 0, 0, 0, 0],
    });
    // The admin HCM served 6 requests (3 2xx, 2 4xx) but is never the sidecar's inbound side.
    expect(extractStats(parsed, { isInboundHcm: () => true }).downstream).toEqual({
      rq_total: 0,
      rq_xx: [0, 0, 0, 0, 0],
    });
  });

  it('has no Istio telemetry', () => {
    expect(extractStats(parsed).istio).toEqual([]);
  });
});

describe('extractStats on Consul dataplane (envoy_stats_prometheus_consul_dataplane_merged.txt)', () => {
  const { clusters } = extractStats(fixture('envoy_stats_prometheus_consul_dataplane_merged.txt'));

  it('reads the four clusters despite the extra Consul tags before envoy_cluster_name', () => {
    expect([...clusters.keys()].sort()).toEqual([
      'consul-dataplane',
      'local_app',
      'original-destination',
      'prometheus_backend',
    ]);
    expect(clusters.get('local_app')?.upstream_rq_total).toBe(1758);
    expect(clusters.get('original-destination')?.upstream_rq_total).toBe(1);
  });

  it('reads class counters (envoy_response_code_class="2") and ignores the internal/external subsets', () => {
    // envoy_cluster_upstream_rq_xx{class="2"} 3; envoy_cluster_external_upstream_rq_xx{class="2"} 3 is
    // the same requests again and must not be added.
    expect(clusters.get('prometheus_backend')).toMatchObject({
      upstream_rq_total: 3,
      upstream_rq_xx: [0, 3, 0, 0, 0],
      upstream_rq_503: 0,
    });
    expect(clusters.get('consul-dataplane')?.upstream_rq_xx).toEqual([0, 1, 0, 0, 0]);
  });

  it('reads the upstream_rq_time histogram of the cluster that has one', () => {
    const h = clusters.get('prometheus_backend')?.rqTime;
    expect(h?.le).toEqual(ENVOY_BUCKETS);
    expect(h?.counts).toEqual([0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(h?.count).toBe(2);
    expect(h?.sum).toBeCloseTo(15.1, 10);
  });
});

describe('extractStats on istio-proxy 1.7.1 (istio_proxy_1.7.1_stats_prometheus_HEAD_EXCERPT.txt)', () => {
  const { clusters, istio } = extractStats(fixture('istio_proxy_1.7.1_stats_prometheus_HEAD_EXCERPT.txt'));

  it('groups istio_requests_total per reporter and destination, codes with flags', () => {
    expect(istio).toHaveLength(7);
    const bySource = istio.filter((d) => d.reporter === 'source');
    expect(bySource.map((d) => [d.destinationWorkload, d.byCodeAndFlags])).toEqual([
      ['details-v1', { '200|-': 6 }],
      ['reviews-v1', { '200|-': 3 }],
      ['reviews-v2', { '200|-': 2 }],
      ['reviews-v3', { '200|-': 1 }],
    ]);
    expect(bySource[0]).toMatchObject({
      sourceWorkload: 'productpage-v1',
      sourceNamespace: 'default',
      destinationNamespace: 'default',
      destinationService: 'details.default.svc.cluster.local',
      destinationApp: 'details',
      destinationVersion: 'v1',
    });
    const uf = istio.find((d) => d.byCodeAndFlags['503|UF'] !== undefined);
    expect(uf).toMatchObject({
      reporter: 'destination',
      sourceWorkload: 'unknown',
      byCodeAndFlags: { '503|UF': 5 },
    });
  });

  it('reads no cluster traffic from xds-grpc stats that are not request counters', () => {
    expect(clusters.size).toBe(0);
  });
});

describe('extractStats on the merged :15020 endpoint (istio_proxy_15020_merged_stats_EXCERPT_fortio.txt)', () => {
  const { istio } = extractStats(fixture('istio_proxy_15020_merged_stats_EXCERPT_fortio.txt'));

  it('reads counters and untyped duration buckets (the excerpt has no # TYPE lines)', () => {
    expect(istio).toHaveLength(2);
    expect(istio[0]).toMatchObject({
      reporter: 'destination',
      destinationWorkload: 'fortio-mcp',
      byCodeAndFlags: { '200|-': 895201 },
      duration: undefined,
    });
    expect(istio[1]).toMatchObject({
      reporter: 'source',
      destinationWorkload: 'fortio-cr-sni',
      destinationApp: 'unknown',
      byCodeAndFlags: {},
      duration: { le: [30000], counts: [5] },
    });
  });
});

describe('extractStats naming styles', () => {
  it('istio-proxy ≥ 1.16: cluster_name and response_code_class="5xx"', () => {
    const parsed = parsePrometheusText(
      [
        '# TYPE envoy_cluster_upstream_rq counter',
        'envoy_cluster_upstream_rq{response_code="200",cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 90',
        'envoy_cluster_upstream_rq{response_code="503",cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 7',
        '# TYPE envoy_cluster_upstream_rq_xx counter',
        'envoy_cluster_upstream_rq_xx{response_code_class="2xx",cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 90',
        'envoy_cluster_upstream_rq_xx{response_code_class="5xx",cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 10',
        '# TYPE envoy_cluster_upstream_rq_total counter',
        'envoy_cluster_upstream_rq_total{cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 101',
        '# TYPE envoy_cluster_upstream_rq_pending_overflow counter',
        'envoy_cluster_upstream_rq_pending_overflow{cluster_name="outbound|9080||reviews.default.svc.cluster.local"} 2',
        '',
      ].join('\n'),
    );
    expect(
      extractStats(parsed).clusters.get('outbound|9080||reviews.default.svc.cluster.local'),
    ).toMatchObject({
      upstream_rq_total: 101,
      upstream_rq_xx: [0, 90, 0, 0, 10],
      upstream_rq_503: 7,
      upstream_rq_pending_overflow: 2,
    });
  });

  it('istio-proxy before 1.16: untagged per-class and per-code names', () => {
    const parsed = parsePrometheusText(
      [
        '# TYPE envoy_cluster_upstream_rq_200 counter',
        'envoy_cluster_upstream_rq_200{cluster_name="outbound|80||b.ns.svc.cluster.local"} 40',
        '# TYPE envoy_cluster_upstream_rq_2xx counter',
        'envoy_cluster_upstream_rq_2xx{cluster_name="outbound|80||b.ns.svc.cluster.local"} 40',
        '# TYPE envoy_cluster_upstream_rq_404 counter',
        'envoy_cluster_upstream_rq_404{cluster_name="outbound|80||b.ns.svc.cluster.local"} 3',
        '# TYPE envoy_cluster_upstream_rq_503 counter',
        'envoy_cluster_upstream_rq_503{cluster_name="outbound|80||b.ns.svc.cluster.local"} 5',
        '# TYPE envoy_cluster_upstream_rq_5xx counter',
        'envoy_cluster_upstream_rq_5xx{cluster_name="outbound|80||b.ns.svc.cluster.local"} 6',
        '# TYPE envoy_cluster_upstream_cx_none_healthy counter',
        'envoy_cluster_upstream_cx_none_healthy{cluster_name="outbound|80||b.ns.svc.cluster.local"} 1',
        '',
      ].join('\n'),
    );
    // No upstream_rq_4xx was written: the class comes from the per-code 404; 5xx (6) exceeds its
    // per-code sum (5), so the class counter wins.
    expect(extractStats(parsed).clusters.get('outbound|80||b.ns.svc.cluster.local')).toMatchObject({
      upstream_rq_total: 49,
      upstream_rq_xx: [0, 40, 0, 3, 6],
      upstream_rq_503: 5,
      upstream_cx_none_healthy: 1,
    });
  });

  it('attributes a dotted cluster name split by the default tag regex, given the real names', () => {
    // What Envoy (and meshscope-proxy) print for cluster `backend.v2` next to `backend_v1`.
    const parsed = parsePrometheusText(
      [
        '# TYPE envoy_cluster_upstream_rq_total counter',
        'envoy_cluster_upstream_rq_total{envoy_cluster_name="backend_v1"} 16',
        '# TYPE envoy_cluster_v2_upstream_rq_total counter',
        'envoy_cluster_v2_upstream_rq_total{envoy_cluster_name="backend"} 4',
        '# TYPE envoy_cluster_v2_upstream_rq_xx counter',
        'envoy_cluster_v2_upstream_rq_xx{envoy_response_code_class="2",envoy_cluster_name="backend"} 4',
        '# TYPE envoy_cluster_v2_upstream_rq_time histogram',
        'envoy_cluster_v2_upstream_rq_time_bucket{envoy_cluster_name="backend",le="5"} 3',
        'envoy_cluster_v2_upstream_rq_time_bucket{envoy_cluster_name="backend",le="+Inf"} 4',
        'envoy_cluster_v2_upstream_rq_time_sum{envoy_cluster_name="backend"} 12.5',
        'envoy_cluster_v2_upstream_rq_time_count{envoy_cluster_name="backend"} 4',
        '',
      ].join('\n'),
    );
    expect([...extractStats(parsed).clusters.keys()]).toEqual(['backend_v1']);
    const withNames = extractStats(parsed, { clusterNames: ['backend_v1', 'backend.v2'] }).clusters;
    expect(withNames.get('backend.v2')).toMatchObject({
      upstream_rq_total: 4,
      upstream_rq_xx: [0, 4, 0, 0, 0],
      rqTime: { le: [5, Number.POSITIVE_INFINITY], counts: [3, 4], sum: 12.5, count: 4 },
    });
    expect(withNames.has('backend')).toBe(false);
  });

  it('adds up series of one cluster that differ in other tags, histograms bound by bound', () => {
    const parsed = parsePrometheusText(
      [
        '# TYPE envoy_cluster_upstream_rq_time histogram',
        'envoy_cluster_upstream_rq_time_bucket{zone="a",envoy_cluster_name="c",le="1"} 1',
        'envoy_cluster_upstream_rq_time_bucket{zone="a",envoy_cluster_name="c",le="+Inf"} 2',
        'envoy_cluster_upstream_rq_time_sum{zone="a",envoy_cluster_name="c"} 3',
        'envoy_cluster_upstream_rq_time_count{zone="a",envoy_cluster_name="c"} 2',
        'envoy_cluster_upstream_rq_time_bucket{le="1",zone="b",envoy_cluster_name="c"} 4',
        'envoy_cluster_upstream_rq_time_bucket{le="+Inf",zone="b",envoy_cluster_name="c"} 4',
        'envoy_cluster_upstream_rq_time_sum{zone="b",envoy_cluster_name="c"} 2',
        'envoy_cluster_upstream_rq_time_count{zone="b",envoy_cluster_name="c"} 4',
        '',
      ].join('\n'),
    );
    expect(extractStats(parsed).clusters.get('c')?.rqTime).toEqual({
      le: [1, Number.POSITIVE_INFINITY],
      counts: [5, 6],
      sum: 5,
      count: 6,
    });
  });

  it('reads inbound requests of Istio and Consul HCMs, tagged or not', () => {
    const parsed = parsePrometheusText(
      [
        '# TYPE envoy_http_downstream_rq_total counter',
        'envoy_http_downstream_rq_total{http_conn_manager_prefix="inbound_0.0.0.0_9080"} 12',
        'envoy_http_downstream_rq_total{http_conn_manager_prefix="outbound_0.0.0.0_9080"} 99',
        'envoy_http_downstream_rq_total{envoy_http_conn_manager_prefix="public_listener"} 5',
        '# TYPE envoy_http_downstream_rq_xx counter',
        'envoy_http_downstream_rq_xx{response_code_class="2xx",http_conn_manager_prefix="inbound_0.0.0.0_9080"} 10',
        'envoy_http_downstream_rq_xx{response_code_class="5xx",http_conn_manager_prefix="inbound_0.0.0.0_9080"} 2',
        '# TYPE envoy_http_downstream_rq_2xx counter',
        'envoy_http_downstream_rq_2xx{envoy_http_conn_manager_prefix="public_listener"} 5',
        '',
      ].join('\n'),
    );
    expect(extractStats(parsed).downstream).toEqual({ rq_total: 17, rq_xx: [0, 15, 0, 0, 2] });
  });
});

describe('classifyClusterFamily', () => {
  it.each([
    ['envoy_cluster_upstream_rq_total', 'total', ''],
    ['envoy_cluster_upstream_rq', 'codeTagged', ''],
    ['envoy_cluster_upstream_rq_503', 'codeUntagged', ''],
    ['envoy_cluster_upstream_rq_5xx', 'classUntagged', ''],
    ['envoy_cluster_v2_upstream_rq_xx', 'xxTagged', 'v2_'],
    ['envoy_cluster_external_upstream_rq_xx', 'xxTagged', 'external_'],
  ])('%s → %s', (name, kind, middle) => {
    expect(classifyClusterFamily(name)).toMatchObject({ kind, middle });
  });

  it.each([
    'envoy_cluster_upstream_rq_pending_total',
    'envoy_cluster_upstream_rq_completed',
    'envoy_cluster_xupstream_rq_total',
    'envoy_http_downstream_rq_total',
  ])('%s is not read', (name) => {
    expect(classifyClusterFamily(name)).toBeUndefined();
  });
});
