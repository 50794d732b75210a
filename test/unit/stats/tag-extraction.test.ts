import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeTags, extractTags } from '../../../proxy/stats/tag-extraction.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const FIXTURES = ENVOY_FIXTURES;

/** `name{labels}` of every series line of a fixture (values dropped). */
function seriesKeys(file: string): Set<string> {
  const keys = new Set<string>();
  for (const line of readFileSync(`${FIXTURES}/${file}`, 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    keys.add(line.slice(0, line.lastIndexOf(' ')));
  }
  return keys;
}

function series(statName: string): string {
  const { name, tags } = extractTags(statName);
  return `${name}{${tags.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

describe('extractTags against the plain Envoy demo scrape', () => {
  const keys = seriesKeys('envoy_stats_prometheus_plain_envoy_demo.txt');
  // Dotted names Envoy itself has for the series in the fixture (cluster service_envoyproxy_io,
  // HCMs admin and ingress_http, listener 0.0.0.0:10000, 16 workers).
  const names = [
    'cluster.service_envoyproxy_io.upstream_cx_connect_fail',
    'cluster.service_envoyproxy_io.update_success',
    'cluster.service_envoyproxy_io.circuit_breakers.default.rq_open',
    'cluster.service_envoyproxy_io.circuit_breakers.high.cx_pool_open',
    'cluster.service_envoyproxy_io.membership_healthy',
    'cluster_manager.cluster_added',
    'cluster_manager.active_clusters',
    'envoy.overload_actions.reset_high_memory_stream_count',
    'http.admin.downstream_rq_2xx',
    'http.ingress_http.downstream_rq_5xx',
    'http.ingress_http.downstream_cx_total',
    'http.admin.downstream_rq_timeout',
    'http1.dropped_headers_with_underscores',
    'listener.0.0.0.0_10000.downstream_cx_total',
    'listener.0.0.0.0_10000.http.ingress_http.downstream_rq_3xx',
    'listener.0.0.0.0_10000.worker_3.downstream_cx_total',
    'listener.0.0.0.0_10000.worker_12.downstream_cx_active',
    'listener.admin.downstream_cx_total',
    'listener.admin.http.admin.downstream_rq_completed',
    'listener.admin.http.admin.downstream_rq_4xx',
    'listener.admin.main_thread.downstream_cx_total',
    'listener_manager.listener_added',
    'main_thread.watchdog_miss',
    'runtime.load_success',
    'server.worker_7.watchdog_mega_miss',
    'server.memory_allocated',
    'workers.watchdog_miss',
  ];
  it.each(names)('%s appears in the fixture with the same name and labels', (n) => {
    expect(keys.has(series(n)), series(n)).toBe(true);
  });

  it('histogram families: tags of the histogram series match the fixture buckets', () => {
    const { name, tags } = extractTags('cluster.service_envoyproxy_io.upstream_cx_connect_ms');
    const t = tags.map(([k, v]) => `${k}="${v}"`).join(',');
    expect(keys.has(`${name}_bucket{${t},le="0.5"}`)).toBe(true);
    expect(keys.has(`${name}_sum{${t}}`)).toBe(true);
  });
});

describe('extractTags, Envoy default regexes', () => {
  it('response code comes before the cluster name, as in the default order', () => {
    expect(computeTags('cluster.backend_v1.upstream_rq_200')).toEqual({
      name: 'envoy_cluster_upstream_rq',
      tagExtractedName: 'cluster.upstream_rq',
      sortKey: 'cluster\0backend_v1\0upstream_rq_200',
      tags: [
        ['envoy_response_code', '200'],
        ['envoy_cluster_name', 'backend_v1'],
      ],
    });
    expect(computeTags('cluster.x.upstream_rq_2xx').tags).toEqual([
      ['envoy_response_code_class', '2'],
      ['envoy_cluster_name', 'x'],
    ]);
    expect(computeTags('cluster.x.upstream_rq_2xx').name).toBe('envoy_cluster_upstream_rq_xx');
  });

  it('a cluster name with dots is split at the first dot (Yelp/Istio-style names)', () => {
    const r = computeTags('cluster.service1.main.egress_cluster.upstream_rq_total');
    expect(r.name).toBe('envoy_cluster_main_egress_cluster_upstream_rq_total');
    expect(r.tags).toEqual([['envoy_cluster_name', 'service1']]);
  });

  it('keeps the "admin" listener in the name and tags IPv6 listener addresses', () => {
    expect(computeTags('listener.admin.downstream_cx_total').tags).toEqual([]);
    expect(computeTags('listener.[__1]_80.downstream_cx_total').tags).toEqual([
      ['envoy_listener_address', '[__1]_80'],
    ]);
  });

  it('tokenized extractors with a middle `**` and several tags on one name', () => {
    const r = computeTags('mongo.p.collection.c.callsite.s.query.total');
    expect(r.tagExtractedName).toBe('mongo.collection.callsite.query.total');
    expect(r.tags).toEqual([
      ['envoy_mongo_callsite', 's'],
      ['envoy_mongo_collection', 'c'],
      ['envoy_mongo_prefix', 'p'],
    ]);
    expect(computeTags('vhost.vh.vcluster.other.upstream_rq_200').tags).toEqual([
      ['envoy_response_code', '200'],
      ['envoy_virtual_cluster', 'other'],
      ['envoy_virtual_host', 'vh'],
    ]);
  });

  it('RDS route config names may contain dots', () => {
    const r = computeTags('http.x.rds.my.route.config_reload');
    expect(r.tagExtractedName).toBe('http.rds.config_reload');
    expect(r.tags).toEqual([
      ['envoy_rds_route_config', 'my.route'],
      ['envoy_http_conn_manager_prefix', 'x'],
    ]);
  });

  it('a name without a tag keeps its words; odd characters become underscores', () => {
    expect(computeTags('cluster.x').tags).toEqual([]);
    expect(computeTags('server.uptime')).toMatchObject({
      name: 'envoy_server_uptime',
      tagExtractedName: 'server.uptime',
      tags: [],
    });
    expect(computeTags('tcp.my-proxy.downstream_cx_total').name).toBe('envoy_tcp_downstream_cx_total');
  });

  it('memoises results per name', () => {
    expect(extractTags('cluster.memo.upstream_rq_total')).toBe(extractTags('cluster.memo.upstream_rq_total'));
  });
});
