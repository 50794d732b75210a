import { describe, expect, it } from 'vitest';
import { type Policies, PoliciesSchema, policyBadges } from '../../../shared/api/policies.ts';

describe('policyBadges', () => {
  it('tells a configured breaker from one that is open or refusing requests', () => {
    const cb = (open: string[], overflowRps: number): Policies => ({
      circuitBreaker: {
        thresholds: [{ priority: 'DEFAULT', maxConnections: 1 }],
        open,
        overflowRps,
        retryOverflowRps: 0,
      },
    });
    expect(policyBadges(cb([], 0))).toEqual(['circuitBreaker']);
    expect(policyBadges(cb(['default.cx_open'], 0))).toEqual(['circuitBreakerOpen']);
    expect(policyBadges(cb([], 0.5))).toEqual(['circuitBreakerOpen']);
  });

  it('badges a timeout only when set, or when requests timed out', () => {
    const timeout = (timeoutMs: number, rps = 0): Policies => ({ timeout: { timeoutMs, rps } });
    expect(policyBadges(timeout(3000))).toEqual(['timeout']);
    expect(policyBadges(timeout(15_000))).toEqual([]);
    // Istio's `timeout: 0s` on every route: disabled, nothing to flag.
    expect(policyBadges(timeout(0))).toEqual([]);
    expect(policyBadges(timeout(15_000, 0.1))).toEqual(['timeout']);
  });

  it('tells outlier detection from hosts ejected now, and names the rest', () => {
    const all: Policies = {
      outlierDetection: { ejectedHosts: 2 },
      healthCheck: { healthyHosts: 1, totalHosts: 2 },
      retries: { retryOn: ['5xx'], numRetries: 1, rps: 0 },
      fault: { headers: [], abortsRps: 0, delaysRps: 0 },
      mirrors: [{ cluster: 's', percent: 100 }],
      hash: { lbPolicy: 'MAGLEV', hashOn: [] },
      tls: { mutual: false },
    };
    expect(PoliciesSchema.parse(all)).toEqual(all);
    expect(policyBadges(all)).toEqual([
      'ejected',
      'healthCheck',
      'retries',
      'fault',
      'mirror',
      'hash',
      'tls',
    ]);
    expect(policyBadges({ outlierDetection: { ejectedHosts: 0 }, mirrors: [] })).toEqual([
      'outlierDetection',
    ]);
    expect(policyBadges(undefined)).toEqual([]);
  });
});
