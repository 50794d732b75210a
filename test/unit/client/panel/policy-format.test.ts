import { describe, expect, it } from 'vitest';
import { formatDuration, policyRows } from '../../../../client/src/panel/policy-format.ts';

describe('policyRows', () => {
  it('words each policy with its figures, marking those acting now', () => {
    const rows = policyRows({
      circuitBreaker: {
        thresholds: [
          { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 },
          { priority: 'HIGH', maxRetries: 5 },
        ],
        open: ['default.rq_pending_open'],
        overflowRps: 2.5,
        retryOverflowRps: 0,
      },
      outlierDetection: {
        consecutive5xx: 3,
        intervalMs: 1000,
        baseEjectionTimeMs: 30_000,
        maxEjectionPercent: 100,
        ejectedHosts: 0,
      },
      healthCheck: { path: '/healthz', intervalMs: 2000, healthyHosts: 1, totalHosts: 2 },
      hash: { lbPolicy: 'RING_HASH', hashOn: ['header x-user'] },
      retries: { retryOn: ['5xx', 'gateway-error'], numRetries: 3, perTryTimeoutMs: 500, rps: 0.5 },
      timeout: { timeoutMs: 3000, rps: 0 },
      fault: {
        delay: { fixedDelayMs: 7000, percent: 100 },
        headers: ['end-user = jason'],
        abortsRps: 0,
        delaysRps: 0.1,
      },
      mirrors: [{ cluster: 'backend_shadow', percent: 50 }],
      tls: { mutual: true, sni: 'backend' },
    });
    const by = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(rows.map((r) => r.key)).toEqual([
      'circuitBreaker',
      'outlierDetection',
      'healthCheck',
      'hash',
      'retries',
      'timeout',
      'fault',
      'mirror',
      'tls',
    ]);
    expect(by.circuitBreaker).toMatchObject({
      config: 'DEFAULT: max 1 connection, 1 pending; HIGH: 5 retries',
      figures: 'at capacity (open): default.rq_pending_open · overflow (UO) 2.5 rps',
      active: true,
    });
    expect(by.outlierDetection).toMatchObject({
      config: 'eject after 3 consecutive 5xx, checked every 1 s, for 30 s, at most 100 % of hosts',
      figures: '0 hosts ejected',
      active: false,
    });
    expect(by.healthCheck).toMatchObject({ figures: '1 of 2 hosts healthy', active: true });
    expect(by.hash?.config).toBe('RING_HASH on header x-user');
    expect(by.retries).toMatchObject({
      config: 'up to 3 on 5xx, gateway-error, 500 ms per try',
      figures: '0.5 rps retried',
    });
    expect(by.timeout).toMatchObject({ config: '3 s', figures: '0 rps timed out (504 UT)', active: false });
    expect(by.fault).toMatchObject({ config: 'delay 7 s for 100 %, when end-user = jason', active: true });
    expect(by.mirror?.config).toBe('backend_shadow (50 %)');
    expect(by.tls?.config).toBe('mutual TLS (client certificate), SNI backend');
  });

  it('has no rows without policies', () => {
    expect(policyRows(undefined)).toEqual([]);
    expect(policyRows({})).toEqual([]);
  });

  it('formats configured durations as written', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(300_000)).toBe('5 min');
    expect(formatDuration(0)).toBe('0 ms');
  });
});
