// The dashboard's /clusters reader over what the bundled proxy prints when outlier detection and
// active health checking have flagged hosts: the same health view an Envoy gives.
import { describe, expect, it } from 'vitest';
import { clustersJson, renderClustersText } from '../../../../proxy/admin/clusters-render.ts';
import type { Cluster } from '../../../../proxy/config/model.ts';
import { Host } from '../../../../proxy/upstream/host.ts';
import { parseClustersJson } from '../../../../server/sources/envoy/clusters-json.ts';

const config: Cluster = {
  name: 'web',
  type: 'STATIC',
  lbPolicy: 'RING_HASH',
  connectTimeoutMs: 250,
  dnsRefreshRateMs: 5000,
  dnsLookupFamily: 'AUTO',
  endpoints: [],
};

function hosts(): Host[] {
  const ejected = new Host('10.0.0.1', 80, '10.0.0.1', 1);
  ejected.failedOutlierCheck = true;
  const failingHc = new Host('10.0.0.2', 80, '10.0.0.2', 1);
  failingHc.failedActiveHealthCheck = true;
  const both = new Host('10.0.0.3', 80, '10.0.0.3', 1);
  both.failedOutlierCheck = true;
  both.failedActiveHealthCheck = true;
  return [ejected, failingHc, both, new Host('10.0.0.4', 80, '10.0.0.4', 1)];
}

describe("the proxy's /clusters with health flags", () => {
  it('reads as unhealthy hosts with Envoy flag names', () => {
    const doc = JSON.parse(JSON.stringify(clustersJson([{ config, hosts: hosts() }])));
    const web = parseClustersJson(doc).get('web')!;
    expect(web.map((h) => [h.address, h.healthy, h.flags])).toEqual([
      ['10.0.0.1', false, ['failed_outlier_check']],
      ['10.0.0.2', false, ['failed_active_hc']],
      ['10.0.0.3', false, ['failed_active_hc', 'failed_outlier_check']],
      ['10.0.0.4', true, []],
    ]);
  });

  it('prints the text flags as Envoy joins them', () => {
    const text = renderClustersText([{ config, hosts: hosts() }]);
    expect(text).toContain('web::10.0.0.1:80::health_flags::/failed_outlier_check\n');
    expect(text).toContain('web::10.0.0.2:80::health_flags::/failed_active_hc\n');
    expect(text).toContain('web::10.0.0.3:80::health_flags::/failed_active_hc/failed_outlier_check\n');
    expect(text).toContain('web::10.0.0.4:80::health_flags::healthy\n');
  });
});
