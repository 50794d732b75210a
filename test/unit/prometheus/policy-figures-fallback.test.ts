import { describe, expect, it } from 'vitest';
import { CachedTrafficSource } from '../../../server/graph/cached-traffic-source.ts';
import type { PolicyFigures } from '../../../server/model/policy-config.ts';
import { PrometheusTrafficSource } from '../../../server/sources/prometheus/prometheus-traffic-source.ts';

describe('PrometheusTrafficSource policy figures', () => {
  const figures: PolicyFigures = {
    clusters: new Map([['backend', { retryRps: 1, retryOverflowRps: 0, timeoutRps: 0.5 }]]),
    faults: new Map(),
  };

  it("take the sidecars' own scrapes' rates when given them (Prometheus is not asked: nothing runs a refresh)", () => {
    const source = new PrometheusTrafficSource({
      url: 'http://127.0.0.1:9',
      targets: () => [],
      fallbackPolicyFigures: (id) => (id === 'default/frontend/0' ? figures : undefined),
    });
    expect(source.policyFigures('default/frontend/0')).toBe(figures);
    expect(source.policyFigures('other')).toBeUndefined();
  });

  it('are absent without them, also through the per-scrape cache', () => {
    const source = new PrometheusTrafficSource({ url: 'http://127.0.0.1:9', targets: () => [] });
    expect(source.policyFigures('default/frontend/0')).toBeUndefined();
    expect(new CachedTrafficSource(source).policyFigures('default/frontend/0')).toBeUndefined();
  });
});
