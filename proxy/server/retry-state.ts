// A route's retry_policy applied to one request, as Envoy's RetryStateImpl: which attempt outcomes a
// `retry_on` condition retries, the retry budget (`num_retries`), the cluster's `max_retries` circuit
// breaker, the jittered exponential back-off, and the `upstream_rq_retry*` stats. Pure apart from the
// resource it holds and the counters it bumps; the exchange does the I/O.
import type { RetryPolicy } from '../config/model.ts';
import type { Resource } from '../upstream/resource-manager.ts';

/** How one upstream attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  | { kind: 'response'; status: number }
  /** The upstream closed or reset the stream before a response head (Envoy: remote reset). */
  | { kind: 'reset' }
  | { kind: 'connect-failure' }
  | { kind: 'per-try-timeout' }
  /** The pool refused the request (circuit breaker): never retried. */
  | { kind: 'overflow' };

/** Envoy's RetryStatus: retry, no retry, or no retry for a reason that flags the response. */
export type RetryStatus = 'yes' | 'no' | 'limit-exceeded' | 'overflow';

/** Envoy's defaults (RetryPolicy.RetryBackOff): base 25 ms, max 10 × base. */
export const DEFAULT_BASE_INTERVAL_MS = 25;

const ON_5XX = 1;
const ON_GATEWAY_ERROR = 2;
const ON_RESET = 4;
const ON_CONNECT_FAILURE = 8;
const ON_RETRIABLE_STATUS_CODES = 16;
const ON_RETRIABLE_4XX = 32;
const ON_RESET_BEFORE_REQUEST = 64;

const BITS: Readonly<Record<string, number>> = {
  '5xx': ON_5XX,
  'gateway-error': ON_GATEWAY_ERROR,
  reset: ON_RESET,
  'connect-failure': ON_CONNECT_FAILURE,
  'retriable-status-codes': ON_RETRIABLE_STATUS_CODES,
  'retriable-4xx': ON_RETRIABLE_4XX,
  'reset-before-request': ON_RESET_BEFORE_REQUEST,
};

const compiled = new WeakMap<RetryPolicy, number>();

function retryOnBits(policy: RetryPolicy): number {
  let bits = compiled.get(policy);
  if (bits === undefined) {
    bits = 0;
    for (const c of policy.retryOn) bits |= BITS[c] ?? 0;
    compiled.set(policy, bits);
  }
  return bits;
}

/**
 * Would `retry_on` retry this outcome (before the budget and circuit breaker are consulted)? Per the
 * x-envoy-retry-on docs: 5xx covers any 5xx response and no response at all (reset, connect failure,
 * per-try timeout); gateway-error only 502/503/504 responses, plus the same no-response cases (Envoy
 * counts a reset as the 5xx it becomes); reset covers no response at all; connect-failure only failed
 * connections; retriable-status-codes the listed codes; retriable-4xx 409. An overflow is never retried.
 */
export function wouldRetry(policy: RetryPolicy, outcome: AttemptOutcome): boolean {
  const on = retryOnBits(policy);
  switch (outcome.kind) {
    case 'overflow':
      return false;
    case 'response': {
      const s = outcome.status;
      if (on & ON_5XX && s >= 500) return true;
      if (on & ON_GATEWAY_ERROR && (s === 502 || s === 503 || s === 504)) return true;
      if (on & ON_RETRIABLE_4XX && s === 409) return true;
      return (on & ON_RETRIABLE_STATUS_CODES) !== 0 && (policy.retriableStatusCodes ?? []).includes(s);
    }
    case 'connect-failure':
      return (
        (on & (ON_5XX | ON_GATEWAY_ERROR | ON_RESET | ON_CONNECT_FAILURE | ON_RESET_BEFORE_REQUEST)) !== 0
      );
    case 'reset':
    case 'per-try-timeout':
      return (on & (ON_5XX | ON_GATEWAY_ERROR | ON_RESET)) !== 0;
  }
}

/**
 * Envoy's JitteredExponentialBackOffStrategy: the n-th back-off is uniform in [0, base × 2^n), capped at
 * `max` (default 10 × base), the interval doubling until it reaches the cap.
 */
export class JitteredBackOff {
  private next: number;
  private readonly max: number;
  private readonly random: () => number;

  constructor(baseMs: number, maxMs: number | undefined, random: () => number) {
    this.next = baseMs;
    this.max = maxMs ?? baseMs * 10;
    this.random = random;
  }

  nextBackOffMs(): number {
    const interval = this.next;
    this.next = interval > this.max / 2 ? this.max : interval * 2;
    return Math.min(Math.floor(this.random() * interval), this.max);
  }
}

/** The retry stats a RetryState bumps (ClusterRequestStats has them under Envoy's names). */
export interface RetryCounters {
  rqRetry: { inc(): void };
  rqRetrySuccess: { inc(): void };
  rqRetryOverflow: { inc(): void };
  rqRetryLimitExceeded: { inc(): void };
  rqRetryBackoffExponential: { inc(): void };
}

export class RetryState {
  private readonly policy: RetryPolicy;
  private readonly retries: Resource;
  private readonly stats: RetryCounters;
  private readonly random: () => number;
  /** Made at the first retry: most requests never need one. */
  private backOff: JitteredBackOff | undefined;
  private remaining: number;
  /** A retry is scheduled or running: it holds one `max_retries` slot until the next decision. */
  private holding = false;

  constructor(
    policy: RetryPolicy,
    retries: Resource,
    stats: RetryCounters,
    random: () => number = Math.random,
  ) {
    this.policy = policy;
    this.retries = retries;
    this.stats = stats;
    this.remaining = policy.numRetries;
    this.random = random;
  }

  get perTryTimeoutMs(): number | undefined {
    return this.policy.perTryTimeoutMs;
  }

  /**
   * Decides after an attempt ended (Envoy's shouldRetry): a retried request that now ends without a
   * retry counts `upstream_rq_retry_success`; an exhausted budget `upstream_rq_retry_limit_exceeded`
   * (flag URX); a full `max_retries` breaker `upstream_rq_retry_overflow` (flag UO). On 'yes' the
   * retry holds a `max_retries` slot and counts `upstream_rq_retry`; wait `nextBackOffMs()` before it.
   */
  shouldRetry(outcome: AttemptOutcome): RetryStatus {
    const retry = wouldRetry(this.policy, outcome);
    if (this.holding && !retry) this.stats.rqRetrySuccess.inc();
    this.release();
    if (!retry) return 'no';
    if (this.remaining === 0) {
      this.stats.rqRetryLimitExceeded.inc();
      return 'limit-exceeded';
    }
    this.remaining--;
    if (!this.retries.canCreate()) {
      this.stats.rqRetryOverflow.inc();
      return 'overflow';
    }
    this.retries.inc();
    this.holding = true;
    this.stats.rqRetry.inc();
    this.stats.rqRetryBackoffExponential.inc();
    return 'yes';
  }

  nextBackOffMs(): number {
    if (!this.backOff) {
      const b = this.policy.backOff;
      this.backOff = new JitteredBackOff(
        b?.baseIntervalMs ?? DEFAULT_BASE_INTERVAL_MS,
        b?.maxIntervalMs,
        this.random,
      );
    }
    return this.backOff.nextBackOffMs();
  }

  /** Gives the `max_retries` slot back (the request ended, or the next decision was made). */
  release(): void {
    if (this.holding) {
      this.holding = false;
      this.retries.dec();
    }
  }
}
