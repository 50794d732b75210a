import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { panicThresholdsFromConfigDump } from '../../../../server/sources/envoy/config-dump-panic-thresholds.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const T = 'type.googleapis.com/';
const CLUSTERS = `${T}envoy.admin.v3.ClustersConfigDump`;
const CLUSTER = `${T}envoy.config.cluster.v3.Cluster`;

/**
 * An istio-proxy's clusters as Envoy prints them (lowerCamelCase): a DestinationRule with
 * `outlierDetection` makes istiod set the threshold to its `minHealthPercent`, 0 unless given, which
 * proto3 JSON prints as an empty Percent; other clusters carry a `commonLbConfig` without it, or none.
 */
const istioDump = {
  configs: [
    {
      '@type': CLUSTERS,
      dynamicActiveClusters: [
        {
          versionInfo: '2024-05-01T10:00:00Z/12',
          cluster: {
            '@type': CLUSTER,
            name: 'outbound|9080||reviews.default.svc.cluster.local',
            type: 'EDS',
            edsClusterConfig: { edsConfig: { ads: {}, resourceApiVersion: 'V3' } },
            outlierDetection: { consecutive5xx: 3, interval: '10s', baseEjectionTime: '30s' },
            commonLbConfig: { healthyPanicThreshold: {}, localityWeightedLbConfig: {} },
          },
        },
        {
          cluster: {
            '@type': CLUSTER,
            name: 'outbound|9080||ratings.default.svc.cluster.local',
            type: 'EDS',
            commonLbConfig: { healthyPanicThreshold: { value: 30 } },
          },
        },
        {
          cluster: {
            '@type': CLUSTER,
            name: 'outbound|9080||details.default.svc.cluster.local',
            type: 'EDS',
            commonLbConfig: { localityWeightedLbConfig: {} },
          },
        },
        { cluster: { '@type': CLUSTER, name: 'BlackHoleCluster', type: 'STATIC' } },
      ],
      // Not serving yet: left out, as the other config_dump readers leave it.
      dynamicWarmingClusters: [
        {
          cluster: {
            '@type': CLUSTER,
            name: 'outbound|9080||productpage.default.svc.cluster.local',
            commonLbConfig: { healthyPanicThreshold: { value: 80 } },
          },
        },
      ],
    },
  ],
};

describe('panicThresholdsFromConfigDump', () => {
  it('lists only the clusters that set healthy_panic_threshold, an empty Percent being 0', () => {
    expect(panicThresholdsFromConfigDump(istioDump)).toEqual(
      new Map([
        ['outbound|9080||reviews.default.svc.cluster.local', 0],
        ['outbound|9080||ratings.default.svc.cluster.local', 30],
      ]),
    );
  });

  it('reads proto field names, the ?resource= form, and rounds to a whole percent as Envoy does', () => {
    const cluster = (name: string, threshold: unknown) => ({
      cluster: { '@type': CLUSTER, name, common_lb_config: { healthy_panic_threshold: threshold } },
    });
    const snake = {
      configs: [
        {
          '@type': CLUSTERS,
          static_clusters: [
            cluster('backend_v1', { value: 0 }),
            cluster('rounded_down', { value: 33.4 }),
            cluster('rounded_up', { value: 66.5 }),
            cluster('bare', 75),
            cluster('capped', { value: 150 }),
          ],
        },
        { '@type': `${CLUSTERS}.StaticCluster`, ...cluster('per_resource', { value: 100 }) },
      ],
    };
    expect(panicThresholdsFromConfigDump(snake)).toEqual(
      new Map([
        ['backend_v1', 0],
        ['rounded_down', 33],
        ['rounded_up', 67],
        ['bare', 75],
        ['capped', 100],
        ['per_resource', 100],
      ]),
    );
  });

  it('finds nothing in the Consul fixture (listeners and routes only) and in malformed input', () => {
    const consul: unknown = JSON.parse(
      readFileSync(`${ENVOY_FIXTURES}/envoy_config_dump_consul_rds_weighted_clusters.json`, 'utf8'),
    );
    expect(panicThresholdsFromConfigDump(consul).size).toBe(0);
    expect(panicThresholdsFromConfigDump(null).size).toBe(0);
    expect(panicThresholdsFromConfigDump({ configs: 'x' }).size).toBe(0);
    const odd = {
      configs: [
        {
          '@type': CLUSTERS,
          static_clusters: [
            { cluster: { name: 'text', common_lb_config: { healthy_panic_threshold: { value: 'high' } } } },
            { cluster: { name: 'list', common_lb_config: { healthy_panic_threshold: [50] } } },
            { cluster: { common_lb_config: { healthy_panic_threshold: { value: 10 } } } },
          ],
        },
      ],
    };
    expect(panicThresholdsFromConfigDump(odd).size).toBe(0);
  });
});
