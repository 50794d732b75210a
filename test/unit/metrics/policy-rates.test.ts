import { describe, expect, it } from 'vitest';
import { PolicyRates } from '../../../server/metrics/policy-rates.ts';
import type { PolicyCounters } from '../../../server/model/policy-config.ts';

function counters(retry: number, timeout: number, aborts?: number): PolicyCounters {
  return {
    clusters: new Map([
      ['b', { upstream_rq_retry: retry, upstream_rq_retry_overflow: 0, upstream_rq_timeout: timeout }],
    ]),
    faults: aborts === undefined ? new Map() : new Map([['egress_http', { aborts, delays: 0 }]]),
  };
}

describe('PolicyRates', () => {
  it('gives per-second rates over the window, a reset counting its new value', () => {
    const r = new PolicyRates(120_000);
    r.ingest('t', 0, counters(0, 0));
    r.ingest('t', 5000, counters(10, 1, 5));
    r.ingest('t', 10_000, counters(20, 1, 10));
    r.ingest('t', 15_000, counters(5, 2, 15)); // the proxy restarted: retry went 20 → 5
    const f = r.figures('t', 15_000, 60_000);
    expect(f?.clusters.get('b')).toEqual({ retryRps: 25 / 15, retryOverflowRps: 0, timeoutRps: 2 / 15 });
    // A fault counter that appeared mid-window (usedonly) was 0 before.
    expect(f?.faults.get('egress_http')).toEqual({ abortsRps: 1, delaysRps: 0 });
    // Only the readings inside a shorter window.
    expect(r.figures('t', 15_000, 5000)?.clusters.get('b')?.timeoutRps).toBeCloseTo(0.2);
  });

  it('keeps nothing for targets that never reported a policy counter, and forgets old readings', () => {
    const r = new PolicyRates(10_000);
    r.ingest('quiet', 0, { clusters: new Map(), faults: new Map() });
    r.ingest('quiet', 5000, undefined);
    expect(r.figures('quiet', 5000, 60_000)).toBeUndefined();
    r.ingest('t', 0, counters(0, 0));
    r.ingest('t', 30_000, counters(30, 0));
    r.ingest('t', 35_000, counters(30, 0));
    // The reading at 0 is past the span: the 30 retries happened before the oldest reading kept.
    expect(r.figures('t', 35_000, 60_000)?.clusters.get('b')?.retryRps).toBe(0);
    r.forget('t');
    expect(r.figures('t', 35_000, 60_000)).toBeUndefined();
  });
});
