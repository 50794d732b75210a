// The side panel's cluster list built from a real istio-proxy `/clusters?format=json` (the istioctl
// testdata): what the API serves must validate against the shared schema and keep Envoy's health view.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseClustersJson } from '../../../../server/sources/envoy/clusters-json.ts';
import { sidecarClustersOf } from '../../../../server/sources/envoy/sidecar-detail-fetch.ts';
import { SidecarClustersSchema } from '../../../../shared/api/sidecar-detail.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

const istioctl = (): unknown =>
  JSON.parse(readFileSync(join(ENVOY_FIXTURES, 'envoy_clusters_json_istioctl_testdata_2019.json'), 'utf8'));

describe('sidecarClustersOf', () => {
  it('lists clusters by name with healthy-host counts, and validates against the contract', () => {
    const out = sidecarClustersOf('bookinfo/productpage-1', parseClustersJson(istioctl()), 1234);
    expect(SidecarClustersSchema.parse(out)).toEqual(out);
    expect(out.sidecarId).toBe('bookinfo/productpage-1');
    expect(out.fetchedAt).toBe(1234);
    const names = out.clusters.map((c) => c.name);
    expect(names).toHaveLength(7);
    expect(names).toEqual([...names].sort());
    const reviews = out.clusters.find((c) => c.name === 'outbound|9080||reviews.default.svc.cluster.local')!;
    expect(reviews.hosts).toHaveLength(3);
    expect(reviews.healthyHosts).toBe(2);
    expect(reviews.hosts[2]).toEqual({
      address: '172.17.0.27',
      port: 9080,
      healthy: false,
      flags: ['failed_outlier_check'],
      weight: 1,
    });
  });

  it('keeps a hostname when Envoy reports one (STRICT_DNS hosts)', () => {
    const hosts = new Map([
      [
        'web',
        [{ address: '10.0.0.1', port: 80, hostname: 'web.local', healthy: true, flags: [], weight: 2 }],
      ],
    ]);
    expect(sidecarClustersOf('x', hosts, 0).clusters[0]!.hosts[0]).toMatchObject({
      hostname: 'web.local',
      weight: 2,
    });
  });
});
