import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClustersJson } from '../../../../server/sources/envoy/clusters-json.ts';
import { parseAdminJson } from '../../../../server/sources/envoy/proto-json.ts';
import { parseRuntimeJson, runtimeLayers } from '../../../../server/sources/envoy/runtime-json.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const json = (name: string): unknown => JSON.parse(readFileSync(join(ENVOY_FIXTURES, name), 'utf8'));

describe('parseClustersJson', () => {
  it('reads the snake_case Yelp snapshot, merging a cluster listed twice', () => {
    const hosts = parseClustersJson(json('envoy_clusters_json_yelp_paasta_snapshot.json'));
    expect([...hosts.keys()]).toEqual([
      'service1.main.egress_cluster',
      'some_service7.main.egress_cluster',
      'service2.main.egress_cluster',
      'spectre.main.egress_cluster',
    ]);
    expect(hosts.get('service1.main.egress_cluster')).toEqual([
      { address: '10.46.6.88', port: 13833, hostname: undefined, healthy: true, flags: [], weight: 1 },
      { address: '10.46.6.90', port: 13833, hostname: undefined, healthy: true, flags: [], weight: 1 },
    ]);
    expect(hosts.get('some_service7.main.egress_cluster')).toEqual([
      {
        address: '10.46.6.88',
        port: 13833,
        hostname: undefined,
        healthy: false,
        flags: ['failed_eds_health'],
        weight: 1,
      },
    ]);
  });

  it('reads the istioctl testdata, lowerCamelCase fields under a snake_case top key', () => {
    const hosts = parseClustersJson(json('envoy_clusters_json_istioctl_testdata_2019.json'));
    expect(hosts.size).toBe(7);
    expect(hosts.get('outbound|9080||reviews.default.svc.cluster.local')).toEqual([
      { address: '172.17.0.24', port: 9080, hostname: undefined, healthy: true, flags: [], weight: 1 },
      { address: '172.17.0.26', port: 9080, hostname: undefined, healthy: true, flags: [], weight: 1 },
      {
        address: '172.17.0.27',
        port: 9080,
        hostname: undefined,
        healthy: false,
        flags: ['failed_outlier_check'],
        weight: 1,
      },
    ]);
    expect(hosts.get('outbound|15014||istio-policy.istio-system.svc.cluster.local')?.[0]).toMatchObject({
      address: '172.17.0.14',
      healthy: false,
      flags: ['failed_eds_health'],
    });
    // A unix-socket host (`pipe`) in snake_case inside the camelCase document.
    expect(hosts.get('inbound_9092')).toEqual([
      { address: '/sock/mixer.socket', port: 0, hostname: undefined, healthy: true, flags: [], weight: 1 },
    ]);
  });

  it('keeps hostname, weight as a string or number, and flags that do not make a host unhealthy', () => {
    const hosts = parseClustersJson({
      clusterStatuses: [
        {
          name: 'dns',
          hostStatuses: [
            {
              address: { socketAddress: { address: '10.0.0.1', portValue: 8080 } },
              hostname: 'backend-v1.default.svc.cluster.local',
              weight: '3',
              healthStatus: { pendingDynamicRemoval: true, edsHealthStatus: 'DEGRADED' },
            },
          ],
        },
      ],
    });
    expect(hosts.get('dns')).toEqual([
      {
        address: '10.0.0.1',
        port: 8080,
        hostname: 'backend-v1.default.svc.cluster.local',
        healthy: true,
        flags: ['pending_dynamic_removal', 'degraded_eds_health'],
        weight: 3,
      },
    ]);
  });

  it('reads an empty answer as no clusters', () => {
    expect(parseClustersJson({}).size).toBe(0);
  });
});

describe('parseRuntimeJson', () => {
  it('reads the final value after POST /runtime_modify (admin layer over root, Envoy 1.8)', () => {
    const doc = json('envoy_runtime_after_runtime_modify_envoy1.8.json');
    expect(parseRuntimeJson(doc)).toEqual(new Map([['health_check.min_interval', '20']]));
    expect(runtimeLayers(doc)).toEqual(['root', 'admin']);
  });

  it('reads the root layer value before any override (empty admin layer)', () => {
    expect(parseRuntimeJson(json('envoy_runtime_before_runtime_modify_envoy1.8.json'))).toEqual(
      new Map([['health_check.min_interval', '10']]),
    );
  });

  it('reads an istio-ingressgateway runtime', () => {
    const doc = json('envoy_runtime_istio_ingressgateway_cve_2020_007.json');
    expect(parseRuntimeJson(doc)).toEqual(
      new Map([['overload.global_downstream_max_connections', '250000']]),
    );
    expect(runtimeLayers(doc)).toEqual(['static_layer_0', 'admin']);
  });
});

describe('parseAdminJson', () => {
  it('names the endpoint when the body is not JSON', () => {
    expect(() => parseAdminJson('<html>login</html>', 'GET /runtime')).toThrow(
      /GET \/runtime: not JSON .*starts with "<html>login<\/html>"/,
    );
  });
});
