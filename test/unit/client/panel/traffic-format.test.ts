import { describe, expect, it } from 'vitest';
import {
  causeRows,
  errorRatio,
  formatMs,
  formatPercent,
  formatRps,
  statusRows,
} from '../../../../client/src/panel/traffic-format.ts';
import { emptyTraffic, type Traffic } from '../../../../shared/api/graph.ts';

const traffic: Traffic = {
  rps: 20,
  status: { '2xx': 15, '3xx': 0, '4xx': 1, '5xx': 4 },
  rate503: 3,
  causes503: { overflow: 1.5, noHealthyUpstream: 0, connectFailure: 0.75, upstream: 0.75 },
  latencyMs: { p50: 3, p95: 40, p99: 120 },
};

describe('traffic figures', () => {
  it('gives status classes as shares of all requests', () => {
    expect(statusRows(traffic).map((r) => [r.label, r.rps, r.share])).toEqual([
      ['2xx', 15, 0.75],
      ['3xx', 0, 0],
      ['4xx', 1, 0.05],
      ['5xx', 4, 0.2],
    ]);
    expect(errorRatio(traffic)).toBe(0.2);
  });

  it('breaks 503s down by the cause Envoy reports, as shares of all 503s', () => {
    expect(causeRows(traffic).map((r) => [r.key, r.share])).toEqual([
      ['overflow', 0.5],
      ['noHealthyUpstream', 0],
      ['connectFailure', 0.25],
      ['upstream', 0.25],
    ]);
    expect(causeRows(traffic)[0]!.label).toContain('UO');
  });

  it('has no shares and no error ratio without traffic', () => {
    const idle = emptyTraffic();
    expect(errorRatio(idle)).toBeNull();
    expect(statusRows(idle).every((r) => r.share === null)).toBe(true);
    expect(causeRows(idle).every((r) => r.share === null)).toBe(true);
  });

  it('formats rates, percentages and durations', () => {
    expect(formatRps(0)).toBe('0 rps');
    expect(formatRps(0.05)).toBe('0.050 rps');
    expect(formatRps(12.34)).toBe('12.3 rps');
    expect(formatRps(1234.5)).toBe('1,235 rps');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.0004)).toBe('<0.1 %');
    expect(formatPercent(0.052)).toBe('5.2 %');
    expect(formatPercent(0.8)).toBe('80 %');
    expect(formatMs(2.25)).toBe('2.3 ms');
    expect(formatMs(40)).toBe('40 ms');
    expect(formatMs(12_500)).toBe('12.5 s');
    expect(formatMs(null)).toBe('–');
  });
});
