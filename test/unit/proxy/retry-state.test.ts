// retry_policy decisions as Envoy's RetryStateImpl: which outcomes each retry_on condition retries, the
// num_retries budget (URX), the max_retries breaker (UO), retry success, and the jittered exponential
// back-off (base 25 ms by default, capped at 10 × base).
import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../../proxy/config/model.ts';
import {
  type AttemptOutcome,
  JitteredBackOff,
  RetryState,
  wouldRetry,
} from '../../../proxy/server/retry-state.ts';
import { Resource } from '../../../proxy/upstream/resource-manager.ts';

const policy = (retryOn: string[], extra: Partial<RetryPolicy> = {}): RetryPolicy => ({
  retryOn,
  numRetries: 1,
  ...extra,
});

const response = (status: number): AttemptOutcome => ({ kind: 'response', status });
const RESET: AttemptOutcome = { kind: 'reset' };
const CONNECT: AttemptOutcome = { kind: 'connect-failure' };
const PER_TRY: AttemptOutcome = { kind: 'per-try-timeout' };
const OVERFLOW: AttemptOutcome = { kind: 'overflow' };

describe('wouldRetry', () => {
  it.each([
    // condition, outcome, retried
    ['5xx', response(500), true],
    ['5xx', response(503), true],
    ['5xx', response(404), false],
    ['5xx', RESET, true],
    ['5xx', CONNECT, true],
    ['5xx', PER_TRY, true],
    ['gateway-error', response(500), false],
    ['gateway-error', response(502), true],
    ['gateway-error', response(504), true],
    ['gateway-error', RESET, true],
    ['reset', response(503), false],
    ['reset', RESET, true],
    ['reset', PER_TRY, true],
    ['connect-failure', CONNECT, true],
    ['connect-failure', RESET, false],
    ['connect-failure', PER_TRY, false],
    ['connect-failure', response(503), false],
    ['retriable-4xx', response(409), true],
    ['retriable-4xx', response(404), false],
  ] as const)('%s, %o → %s', (condition, outcome, expected) => {
    expect(wouldRetry(policy([condition]), outcome)).toBe(expected);
  });

  it('retriable-status-codes retries exactly the listed codes', () => {
    const p = policy(['retriable-status-codes'], { retriableStatusCodes: [429, 503] });
    expect(wouldRetry(p, response(429))).toBe(true);
    expect(wouldRetry(p, response(503))).toBe(true);
    expect(wouldRetry(p, response(500))).toBe(false);
    expect(wouldRetry(p, RESET)).toBe(false);
  });

  it('never retries an overflow, whatever the conditions', () => {
    expect(wouldRetry(policy(['5xx', 'reset', 'connect-failure', 'gateway-error']), OVERFLOW)).toBe(false);
  });
});

describe('JitteredBackOff', () => {
  it('draws each back-off below base × 2^n, capped at 10 × base by default', () => {
    const top = new JitteredBackOff(25, undefined, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map(() => top.nextBackOffMs())).toEqual([24, 49, 99, 199, 249, 249]);
    const bottom = new JitteredBackOff(25, undefined, () => 0);
    expect(bottom.nextBackOffMs()).toBe(0);
  });

  it('honours max_interval', () => {
    const b = new JitteredBackOff(100, 150, () => 0.999999);
    expect([1, 2, 3].map(() => b.nextBackOffMs())).toEqual([99, 149, 149]);
  });
});

function counters() {
  const c = { retry: 0, success: 0, overflow: 0, limit: 0, backoff: 0 };
  return {
    c,
    stats: {
      rqRetry: { inc: () => c.retry++ },
      rqRetrySuccess: { inc: () => c.success++ },
      rqRetryOverflow: { inc: () => c.overflow++ },
      rqRetryLimitExceeded: { inc: () => c.limit++ },
      rqRetryBackoffExponential: { inc: () => c.backoff++ },
    },
  };
}

describe('RetryState', () => {
  it('retries up to num_retries, then limit-exceeded (URX), holding one max_retries slot per retry', () => {
    const { c, stats } = counters();
    const retries = new Resource(3);
    const s = new RetryState(policy(['5xx'], { numRetries: 2 }), retries, stats);
    expect(s.shouldRetry(response(503))).toBe('yes');
    expect(retries.count).toBe(1);
    expect(s.shouldRetry(response(503))).toBe('yes');
    expect(retries.count).toBe(1); // the first retry's slot was given back at this decision
    expect(s.shouldRetry(response(503))).toBe('limit-exceeded');
    expect(retries.count).toBe(0);
    expect(c).toEqual({ retry: 2, success: 0, overflow: 0, limit: 1, backoff: 2 });
  });

  it('a retried request that ends without another retry counts upstream_rq_retry_success', () => {
    const { c, stats } = counters();
    const s = new RetryState(policy(['5xx'], { numRetries: 3 }), new Resource(3), stats);
    expect(s.shouldRetry(CONNECT)).toBe('yes');
    expect(s.shouldRetry(response(200))).toBe('no');
    expect(c.success).toBe(1);
    // A first attempt that succeeds is no retry success.
    const other = counters();
    const t = new RetryState(policy(['5xx']), new Resource(3), other.stats);
    expect(t.shouldRetry(response(200))).toBe('no');
    expect(other.c.success).toBe(0);
  });

  it('a full max_retries breaker refuses the retry (overflow → UO)', () => {
    const { c, stats } = counters();
    const retries = new Resource(1);
    retries.inc(); // another request's retry holds the only slot
    const s = new RetryState(policy(['5xx'], { numRetries: 3 }), retries, stats);
    expect(s.shouldRetry(response(502))).toBe('overflow');
    expect(c.overflow).toBe(1);
    expect(c.retry).toBe(0);
  });

  it('release() gives the slot back once (the request ended mid-retry)', () => {
    const retries = new Resource(1);
    const s = new RetryState(policy(['reset']), retries, counters().stats);
    expect(s.shouldRetry(RESET)).toBe('yes');
    expect(retries.canCreate()).toBe(false);
    s.release();
    s.release();
    expect(retries.count).toBe(0);
  });

  it('uses retry_back_off for its back-off', () => {
    const s = new RetryState(
      policy(['5xx'], { backOff: { baseIntervalMs: 40, maxIntervalMs: 60 } }),
      new Resource(3),
      counters().stats,
      () => 0.5,
    );
    expect(s.nextBackOffMs()).toBe(20);
    expect(s.nextBackOffMs()).toBe(30);
    expect(s.nextBackOffMs()).toBe(30);
  });
});
