import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEALTH_THRESHOLDS,
  nodeHealth,
  trafficHealth,
  worstHealth,
} from '../../../server/graph/health.ts';
import { traffic } from './fake-traffic-source.ts';

describe('trafficHealth with Kiali’s default thresholds', () => {
  it('is idle without requests', () => {
    expect(trafficHealth(traffic(0))).toBe('idle');
  });

  it('degrades on any 5xx and fails at 10 %', () => {
    expect(trafficHealth(traffic(100))).toBe('healthy');
    expect(trafficHealth(traffic(1000, { '5xx': 1 }))).toBe('degraded');
    expect(trafficHealth(traffic(100, { '5xx': 9.9 }))).toBe('degraded');
    expect(trafficHealth(traffic(100, { '5xx': 10 }))).toBe('failing');
  });

  it('degrades at 10 % 4xx and fails at 20 %', () => {
    expect(trafficHealth(traffic(100, { '4xx': 9.9 }))).toBe('healthy');
    expect(trafficHealth(traffic(100, { '4xx': 10 }))).toBe('degraded');
    expect(trafficHealth(traffic(100, { '4xx': 19.9 }))).toBe('degraded');
    expect(trafficHealth(traffic(100, { '4xx': 20 }))).toBe('failing');
  });

  it('takes the worse of the 4xx and 5xx verdicts', () => {
    expect(trafficHealth(traffic(100, { '4xx': 25, '5xx': 1 }))).toBe('failing');
    expect(trafficHealth(traffic(100, { '4xx': 5, '5xx': 12 }))).toBe('failing');
  });

  it('follows configured thresholds', () => {
    const lenient = { ...DEFAULT_HEALTH_THRESHOLDS, degraded5xx: 0.05, failing5xx: 0.5 };
    expect(trafficHealth(traffic(100, { '5xx': 1 }), lenient)).toBe('healthy');
    expect(trafficHealth(traffic(100, { '5xx': 5 }), lenient)).toBe('degraded');
    expect(trafficHealth(traffic(100, { '5xx': 20 }), lenient)).toBe('degraded');
    expect(trafficHealth(traffic(100, { '5xx': 50 }), lenient)).toBe('failing');
  });
});

describe('nodeHealth', () => {
  it('is the worse of inbound and outbound, idle only when both are', () => {
    expect(nodeHealth(traffic(0), traffic(0))).toBe('idle');
    expect(nodeHealth(traffic(10), traffic(0))).toBe('healthy');
    expect(nodeHealth(traffic(10), traffic(10, { '5xx': 0.1 }))).toBe('degraded');
    expect(nodeHealth(traffic(10, { '5xx': 5 }), traffic(10, { '4xx': 1 }))).toBe('failing');
    expect(worstHealth('idle', 'healthy')).toBe('healthy');
  });
});
