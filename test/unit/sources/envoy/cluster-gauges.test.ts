import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../../../server/metrics/prom-text-parser.ts';
import { extractClusterGauges } from '../../../../server/sources/envoy/cluster-gauges.ts';
import { ENVOY_FIXTURES } from '../../../support/shared-paths.ts';

describe('extractClusterGauges', () => {
  it('reads closed breakers, ejections and membership from a real Envoy’s /stats/prometheus', () => {
    const text = readFileSync(join(ENVOY_FIXTURES, 'envoy_stats_prometheus_plain_envoy_demo.txt'), 'utf8');
    const g = extractClusterGauges(parsePrometheusText(text));
    const c = g.get('service_envoyproxy_io');
    expect(c).toBeDefined();
    expect(c!.openBreakers).toEqual([]);
    expect(c!.membershipTotal).toBeGreaterThan(0);
    expect(c!.membershipHealthy).toBe(c!.membershipTotal);
  });

  it('names each open breaker and attributes dotted cluster names', () => {
    const text = [
      '# TYPE envoy_cluster_circuit_breakers_default_rq_pending_open gauge',
      'envoy_cluster_circuit_breakers_default_rq_pending_open{envoy_cluster_name="backend"} 1',
      '# TYPE envoy_cluster_circuit_breakers_high_cx_open gauge',
      'envoy_cluster_circuit_breakers_high_cx_open{envoy_cluster_name="backend"} 1',
      '# TYPE envoy_cluster_circuit_breakers_default_rq_open gauge',
      'envoy_cluster_circuit_breakers_default_rq_open{envoy_cluster_name="backend"} 0',
      '# TYPE envoy_cluster_outlier_detection_ejections_active gauge',
      'envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name="backend"} 2',
      '# TYPE envoy_cluster_v2_membership_healthy gauge',
      'envoy_cluster_v2_membership_healthy{envoy_cluster_name="reviews"} 1',
      '# TYPE envoy_cluster_v2_membership_total gauge',
      'envoy_cluster_v2_membership_total{envoy_cluster_name="reviews"} 3',
      '',
    ].join('\n');
    const g = extractClusterGauges(parsePrometheusText(text), ['backend', 'reviews.v2']);
    expect(g.get('backend')).toEqual({
      openBreakers: ['default.rq_pending_open', 'high.cx_open'],
      ejectionsActive: 2,
      membershipHealthy: undefined,
      membershipTotal: undefined,
    });
    expect(g.get('reviews.v2')).toMatchObject({ membershipHealthy: 1, membershipTotal: 3 });
  });
});
