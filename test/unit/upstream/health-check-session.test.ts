import { describe, expect, it } from 'vitest';
import type { HealthCheck } from '../../../proxy/config/model.ts';
import {
  HealthCheckSession,
  nextCheckDelayMs,
  statusInRanges,
} from '../../../proxy/upstream/health-check-session.ts';

const CFG: HealthCheck = {
  timeoutMs: 1000,
  intervalMs: 5000,
  initialJitterMs: 0,
  intervalJitterMs: 0,
  unhealthyThreshold: 3,
  healthyThreshold: 2,
  noTrafficIntervalMs: 60_000,
  noTrafficHealthyIntervalMs: 60_000,
  unhealthyIntervalMs: 7000,
  unhealthyEdgeIntervalMs: 800,
  healthyEdgeIntervalMs: 900,
  reuseConnection: true,
  http: { path: '/healthz', expectedStatuses: [{ start: 200, end: 201 }], retriableStatuses: [] },
};

function session(startUnhealthy: boolean) {
  const host = { failedActiveHealthCheck: startUnhealthy };
  return { host, s: new HealthCheckSession(host, CFG) };
}

describe('health check session', () => {
  it('a host that starts unhealthy (added by DNS) is healthy after its first passing check', () => {
    const { host, s } = session(true);
    expect(s.success()).toBe('changed');
    expect(host.failedActiveHealthCheck).toBe(false);
  });

  it('network failures need unhealthy_threshold in a row; a success in between resets', () => {
    const { host, s } = session(false);
    expect(s.failure('network')).toBe('change_pending');
    expect(s.failure('network')).toBe('change_pending');
    expect(s.success()).toBe('unchanged');
    expect(s.failure('network')).toBe('change_pending');
    expect(s.failure('network')).toBe('change_pending');
    expect(host.failedActiveHealthCheck).toBe(false);
    expect(s.failure('network')).toBe('changed');
    expect(host.failedActiveHealthCheck).toBe(true);
    expect(s.failure('network')).toBe('unchanged');
  });

  it('an unexpected HTTP status marks the host unhealthy at once, a retriable one counts', () => {
    const a = session(false);
    expect(a.s.failure('active')).toBe('changed');
    expect(a.host.failedActiveHealthCheck).toBe(true);
    const b = session(false);
    expect(b.s.failure('active', true)).toBe('change_pending');
    expect(b.host.failedActiveHealthCheck).toBe(false);
  });

  it('an unhealthy host needs healthy_threshold successes in a row (after its first check)', () => {
    const { host, s } = session(false);
    s.failure('active');
    expect(s.success()).toBe('change_pending');
    expect(s.failure('network')).toBe('unchanged');
    expect(s.success()).toBe('change_pending');
    expect(host.failedActiveHealthCheck).toBe(true);
    expect(s.success()).toBe('changed');
    expect(host.failedActiveHealthCheck).toBe(false);
  });
});

describe('next check delay', () => {
  const r = () => 0.5;
  it('uses no_traffic_interval until the cluster has had traffic', () => {
    expect(nextCheckDelayMs(CFG, true, 'unchanged', false, r)).toBe(60_000);
    expect(
      nextCheckDelayMs({ ...CFG, noTrafficHealthyIntervalMs: 30_000 }, true, 'unchanged', false, r),
    ).toBe(30_000);
    expect(
      nextCheckDelayMs({ ...CFG, noTrafficHealthyIntervalMs: 30_000 }, false, 'unchanged', false, r),
    ).toBe(60_000);
  });

  it('then interval / unhealthy_interval, and the edge intervals while a threshold is pending', () => {
    expect(nextCheckDelayMs(CFG, true, 'unchanged', true, r)).toBe(5000);
    expect(nextCheckDelayMs(CFG, true, 'change_pending', true, r)).toBe(900);
    expect(nextCheckDelayMs(CFG, false, 'changed', true, r)).toBe(7000);
    expect(nextCheckDelayMs(CFG, false, 'change_pending', true, r)).toBe(800);
  });

  it('adds a jitter below interval_jitter', () => {
    expect(nextCheckDelayMs({ ...CFG, intervalJitterMs: 100 }, true, 'unchanged', true, r)).toBe(5050);
  });
});

describe('expected statuses', () => {
  it('are half-open ranges', () => {
    const ranges = [
      { start: 200, end: 201 },
      { start: 300, end: 400 },
    ];
    expect(statusInRanges(200, ranges)).toBe(true);
    expect(statusInRanges(201, ranges)).toBe(false);
    expect(statusInRanges(399, ranges)).toBe(true);
    expect(statusInRanges(400, ranges)).toBe(false);
  });
});
