// parsePrometheusText on the real scrapes in the shared Envoy fixtures (plain Envoy, Consul dataplane,
// istio-proxy): zero errors, and the families, values and histograms a dashboard reads from them.
// The format's edge cases on hand-written text are in prom-text-parser-format.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS } from '../../../proxy/stats/store.ts';
import { groupHistograms } from '../../../server/metrics/group-histograms.ts';
import {
  type ParsedExposition,
  parsePrometheusText,
  type Sample,
} from '../../../server/metrics/prom-text-parser.ts';

// shared/ sits beside the repository checkout (here and in CI's fresh clone).
const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/envoy/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

function find(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return parsed.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

function only(parsed: ParsedExposition, name: string, labels: Record<string, string> = {}): Sample {
  const found = find(parsed, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!;
}

describe('parsePrometheusText on real Envoy scrapes', () => {
  const promFiles = readdirSync(FIXTURES).filter((f) => /stats_prometheus|15020/.test(f));

  it('finds the four Prometheus text fixtures', () => {
    expect(promFiles.length).toBe(4);
  });

  it.each(promFiles)('%s parses with zero errors', (file) => {
    const parsed = parsePrometheusText(fixture(file));
    expect(parsed.errors).toEqual([]);
    expect(parsed.errorCount).toBe(0);
    // Every non-blank, non-comment line became a sample.
    const sampleLines = fixture(file)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(parsed.samples.length).toBe(sampleLines.length);
  });

  it('plain Envoy: family types as SOURCES.md counts them, per-cluster counters, `name{} v` lines', () => {
    const parsed = parsePrometheusText(fixture('envoy_stats_prometheus_plain_envoy_demo.txt'));
    const types = { counter: 0, gauge: 0, histogram: 0 } as Record<string, number>;
    for (const f of parsed.families.values()) types[f.type] = (types[f.type] ?? 0) + 1;
    expect(parsed.families.size).toBe(299);
    expect(types).toEqual({ counter: 226, gauge: 66, histogram: 7 });

    const attempts = only(parsed, 'envoy_cluster_update_attempt', {
      envoy_cluster_name: 'service_envoyproxy_io',
    });
    expect(attempts.value).toBe(1242);
    expect(parsed.families.get('envoy_cluster_update_attempt')?.type).toBe('counter');

    const dns = only(parsed, 'envoy_dns_cares_resolve_total');
    expect(dns.value).toBe(1242);
    expect(dns.labels).toEqual({});
    expect(dns.series).toBe('envoy_dns_cares_resolve_total');

    const rqTimeSum = only(parsed, 'envoy_http_downstream_rq_time_sum', {
      envoy_http_conn_manager_prefix: 'admin',
    });
    // The file's 3.1500000000000003552713678800501 is the exact decimal of this double.
    expect(rqTimeSum.value).toBe(3.1500000000000004);
  });

  it('Consul dataplane: Go HELP text, NaN quantiles, and every cluster of a histogram keeps its buckets', () => {
    const parsed = parsePrometheusText(fixture('envoy_stats_prometheus_consul_dataplane_merged.txt'));
    const goInfo = parsed.families.get('consul_dataplane_go_info');
    expect(goInfo?.help).toBe('Information about the Go environment.');
    expect(goInfo?.type).toBe('gauge');
    expect(goInfo?.samples[0]?.labels).toEqual({ version: 'go1.19.1' });

    const gc = parsed.families.get('consul_dataplane_go_gc_duration_seconds');
    expect(gc?.type).toBe('summary');
    expect(gc?.samples.map((s) => s.name)).toContain('consul_dataplane_go_gc_duration_seconds_count');
    expect(only(parsed, 'consul_dataplane_go_gc_duration_seconds_count').value).toBe(273);
    expect(only(parsed, 'consul_dataplane_go_memstats_alloc_bytes').value).toBe(2543784);
    const connectP50 = only(parsed, 'consul_dataplane_connect_duration', { quantile: '0.5' });
    expect(connectP50.value).toBeNaN();

    const connect = groupHistograms(parsed).filter(
      (h) => h.family === 'envoy_cluster_upstream_cx_connect_ms',
    );
    expect(connect.map((h) => h.labels['envoy_cluster_name'])).toEqual([
      'consul-dataplane',
      'local_app',
      'original-destination',
      'prometheus_backend',
    ]);
    const les = [...DEFAULT_BUCKETS, Number.POSITIVE_INFINITY];
    const dataplane = connect[0]!;
    expect(dataplane.buckets.map((b) => b[0])).toEqual(les);
    expect(dataplane.buckets.map((b) => b[1])).toEqual([0, 0, 0, ...Array<number>(17).fill(1)]);
    expect(dataplane.sum).toBe(8.05); // 8.0500000000000007105427357601002 in the file
    expect(dataplane.count).toBe(1);
    expect(dataplane.labels).toEqual({
      local_cluster: 'mynginx',
      consul_source_service: 'mynginx',
      consul_source_namespace: 'default',
      consul_source_partition: 'default',
      consul_source_datacenter: 'consul-sandbox-cluster-0159c9d3',
      envoy_cluster_name: 'consul-dataplane',
    });
    const localApp = connect[1]!;
    expect(localApp.buckets.map((b) => b[1])).toEqual(Array<number>(20).fill(1757));
    expect(localApp.sum).toBe(0);
    expect(localApp.count).toBe(1757);

    const rqTime = groupHistograms(parsed.families.get('envoy_cluster_upstream_rq_time')!);
    expect(rqTime).toHaveLength(1);
    expect(rqTime[0]!.labels['envoy_cluster_name']).toBe('prometheus_backend');
    expect(rqTime[0]!.buckets.slice(0, 4)).toEqual([
      [0.5, 0],
      [1, 0],
      [5, 0],
      [10, 2],
    ]);
    expect(rqTime[0]!.sum).toBeCloseTo(15.1, 12);
    expect(rqTime[0]!.count).toBe(2);
  });

  it('istio-proxy 1.7.1: istio_requests_total with response_code="503" and response_flags="UF"', () => {
    const parsed = parsePrometheusText(fixture('istio_proxy_1.7.1_stats_prometheus_HEAD_EXCERPT.txt'));
    expect(parsed.families.get('istio_requests_total')?.type).toBe('counter');
    expect(find(parsed, 'istio_requests_total')).toHaveLength(7);
    const uf = only(parsed, 'istio_requests_total', { response_code: '503', response_flags: 'UF' });
    expect(uf.value).toBe(5);
    expect(uf.labels['reporter']).toBe('destination');
    expect(uf.labels['destination_workload']).toBe('productpage-v1');
    expect(uf.labels['destination_service_name']).toBe('InboundPassthroughClusterIpv4');
    expect(uf.labels['grpc_response_status']).toBe('');
    expect(only(parsed, 'envoy_cluster_bind_errors', { cluster_name: 'xds-grpc' }).value).toBe(0);
  });

  it('istio :15020 excerpt: untyped lines, `le` last among 30 labels, the UC 503 bucket', () => {
    const parsed = parsePrometheusText(fixture('istio_proxy_15020_merged_stats_EXCERPT_fortio.txt'));
    expect(only(parsed, 'istio_requests_total', { response_code: '200' }).value).toBe(895201);
    const uc = only(parsed, 'istio_request_duration_milliseconds_bucket', { response_flags: 'UC' });
    expect(uc.labels['le']).toBe('30000');
    expect(uc.labels['response_code']).toBe('503');
    expect(uc.value).toBe(5);
    expect(parsed.families.get('istio_request_duration_milliseconds_bucket')?.type).toBe('untyped');
  });
});
