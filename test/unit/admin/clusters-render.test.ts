import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clustersJson, renderClustersText } from '../../../proxy/admin/clusters-render.ts';
import type { Cluster } from '../../../proxy/config/model.ts';
import { Host } from '../../../proxy/upstream/host.ts';
import { ENVOY_FIXTURES } from '../../support/shared-paths.ts';

const FIXTURES = ENVOY_FIXTURES;
const read = (f: string) => readFileSync(`${FIXTURES}/${f}`, 'utf8');

function cluster(name: string): Cluster {
  return {
    name,
    type: 'STATIC',
    lbPolicy: 'ROUND_ROBIN',
    connectTimeoutMs: 250,
    dnsRefreshRateMs: 5000,
    dnsLookupFamily: 'AUTO',
    endpoints: [],
  };
}

/** Keys of `/clusters` text lines with the cluster name and host address taken out. */
function lineKeys(text: string, clusterName: string, host: string): { cluster: string[]; host: string[] } {
  const out = { cluster: [] as string[], host: [] as string[] };
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${clusterName}::`)) continue;
    const rest = line.slice(clusterName.length + 2);
    if (rest.startsWith(`${host}::`)) out.host.push(rest.slice(host.length + 2).replace(/::[^:]*$/, ''));
    else out.cluster.push(rest.replace(/::[^:]*$/, ''));
  }
  return out;
}

describe('/clusters text', () => {
  const fixture = read('envoy_clusters_text_consul_sidecar_api.txt');

  it('prints the same lines, in the same order, as the Consul sidecar’s Envoy', () => {
    const h = new Host('10.20.1.78', 8502, '10.20.1.78', 1);
    Object.assign(h.stats, {
      cx_active: 1,
      cx_connect_fail: 5,
      cx_total: 7,
      rq_active: 1,
      rq_error: 6,
      rq_success: 0,
      rq_timeout: 0,
      rq_total: 2,
    });
    const ours = renderClustersText([{ config: cluster('local_agent'), hosts: [h] }]);
    const expected = fixture
      .split('\n')
      .filter((l) => l.startsWith('local_agent::'))
      // Consul's local_agent is a static cluster (added_via_api::false), like ours.
      .join('\n');
    expect(ours).toBe(`${expected}\n`);
  });

  it('has the fixture’s key sequence for a cluster and for a host', () => {
    const want = lineKeys(fixture, 'local_app', '127.0.0.1:9091');
    const ours = renderClustersText([
      { config: cluster('local_app'), hosts: [new Host('127.0.0.1', 9091, '127.0.0.1', 1)] },
    ]);
    expect(lineKeys(ours, 'local_app', '127.0.0.1:9091')).toEqual(want);
  });

  it('prints the DNS name as hostname and health flags as Envoy joins them', () => {
    const h = new Host('10.0.0.9', 80, 'backend.local', 3);
    h.failedActiveHealthCheck = true;
    h.failedOutlierCheck = true;
    const text = renderClustersText([{ config: cluster('c'), hosts: [h] }]);
    expect(text).toContain('c::10.0.0.9:80::hostname::backend.local\n');
    expect(text).toContain('c::10.0.0.9:80::health_flags::/failed_active_hc/failed_outlier_check\n');
    expect(text).toContain('c::10.0.0.9:80::weight::3\n');
    const v6 = renderClustersText([{ config: cluster('c'), hosts: [new Host('::1', 80, '::1', 1)] }]);
    expect(v6).toContain('c::[::1]:80::cx_active::0\n');
  });

  it('prints configured circuit-breaker thresholds', () => {
    const c = cluster('cb');
    c.circuitBreakers = {
      thresholds: [
        { priority: 'DEFAULT', maxConnections: 10, maxPendingRequests: 20, maxRequests: 30, maxRetries: 1 },
        {
          priority: 'HIGH',
          maxConnections: 1024,
          maxPendingRequests: 1024,
          maxRequests: 1024,
          maxRetries: 3,
        },
      ],
    };
    const text = renderClustersText([{ config: c, hosts: [] }]);
    expect(text).toContain(
      'cb::default_priority::max_connections::10\ncb::default_priority::max_pending_requests::20\n',
    );
    expect(text).toContain('cb::high_priority::max_retries::3\n');
  });
});

describe('/clusters?format=json', () => {
  const yelp = JSON.parse(read('envoy_clusters_json_yelp_paasta_snapshot.json'));
  const yelpHost = yelp.cluster_statuses[0].host_statuses[0];

  it('an idle healthy host has the same address, stats and health_status as the Yelp snapshot', () => {
    const h = new Host('10.46.6.88', 13833, '10.46.6.88', 1);
    const doc = clustersJson([{ config: cluster('service1.main.egress_cluster'), hosts: [h] }]) as {
      cluster_statuses: { name: string; host_statuses: Record<string, unknown>[] }[];
    };
    const ours = doc.cluster_statuses[0]!.host_statuses[0]!;
    expect(ours['address']).toEqual(yelpHost.address);
    expect(ours['stats']).toEqual(yelpHost.stats);
    expect(ours['health_status']).toEqual(yelpHost.health_status);
    expect(ours['weight']).toBe(yelpHost.weight);
    // Same field order as the fixture for the fields both have (proto field-number order).
    expect(Object.keys(ours).filter((k) => k in yelpHost)).toEqual(Object.keys(yelpHost));
    expect(Object.keys(doc.cluster_statuses[0]!).slice(0, 2)).toEqual(['name', 'host_statuses']);
  });

  it('non-zero uint64 stats are strings, gauges are typed, flags appear only when set', () => {
    const h = new Host('10.0.0.1', 80, '10.0.0.1', 1);
    h.stats.rq_success = 3;
    h.stats.cx_active = 2;
    h.failedOutlierCheck = true;
    const doc = clustersJson([{ config: cluster('c'), hosts: [h] }]) as {
      cluster_statuses: { host_statuses: { stats: unknown[]; health_status: unknown }[] }[];
    };
    const hs = doc.cluster_statuses[0]!.host_statuses[0]!;
    expect(hs.stats).toContainEqual({ value: '3', name: 'rq_success' });
    expect(hs.stats).toContainEqual({ type: 'GAUGE', value: '2', name: 'cx_active' });
    expect(hs.health_status).toEqual({ failed_outlier_check: true, eds_health_status: 'HEALTHY' });
  });

  it('stats carry the same names as Istio’s clusters dump (which uses lowerCamelCase fields)', () => {
    const istio = JSON.parse(read('envoy_clusters_json_istioctl_testdata_2019.json'));
    const istioNames = istio.cluster_statuses[0].hostStatuses[0].stats
      .map((s: { name: string }) => s.name)
      .sort();
    const doc = clustersJson([
      { config: cluster('c'), hosts: [new Host('10.0.0.1', 80, '10.0.0.1', 1)] },
    ]) as {
      cluster_statuses: { host_statuses: { stats: { name: string }[] }[] }[];
    };
    const ours = doc.cluster_statuses[0]!.host_statuses[0]!.stats.map((s) => s.name).sort();
    expect(ours).toEqual(istioNames);
  });

  it('omits added_via_api (false) and empty host lists; includes thresholds and observability_name', () => {
    expect(clustersJson([])).toEqual({});
    const doc = clustersJson([{ config: cluster('empty'), hosts: [] }]);
    expect(doc).toEqual({
      cluster_statuses: [
        {
          name: 'empty',
          circuit_breakers: {
            thresholds: [
              { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 },
              {
                priority: 'HIGH',
                max_connections: 1024,
                max_pending_requests: 1024,
                max_requests: 1024,
                max_retries: 3,
              },
            ],
          },
          observability_name: 'empty',
        },
      ],
    });
  });
});
