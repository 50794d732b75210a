// One host's active health-check state (Envoy's HealthCheckerImplBase::ActiveHealthCheckSession), pure:
// what a check result does to the host's `failed_active_hc` flag, and how long to wait before the next
// check. The HTTP checker (health-checker.ts) does the I/O and the timers.
//
// - Success: an unhealthy host becomes healthy after `healthy_threshold` successes in a row, or at once
//   on its very first check (Envoy trades a little safety for a faster start-up).
// - Failure: a healthy host becomes unhealthy after `unhealthy_threshold` failures in a row, except that
//   an HTTP answer outside `expected_statuses` (and not in `retriable_statuses`) marks it unhealthy at
//   once ("the upstream host can return 503 if it wants to immediately notify downstream hosts").
//   Network failures (refused, reset, timeout) always go through the threshold.
import type { HealthCheck } from '../config/model.ts';

/** Envoy's HealthTransition. */
export type HealthTransition = 'unchanged' | 'changed' | 'change_pending';

/** What a session reads and writes on a host; `Host` satisfies it. */
export interface HealthCheckedHost {
  failedActiveHealthCheck: boolean;
}

export type FailureKind = 'active' | 'network';

export class HealthCheckSession<H extends HealthCheckedHost = HealthCheckedHost> {
  readonly host: H;
  private readonly healthyThreshold: number;
  private readonly unhealthyThreshold: number;
  private firstCheck = true;
  private numHealthy = 0;
  private numUnhealthy = 0;

  constructor(host: H, cfg: Pick<HealthCheck, 'healthyThreshold' | 'unhealthyThreshold'>) {
    this.host = host;
    this.healthyThreshold = cfg.healthyThreshold;
    this.unhealthyThreshold = cfg.unhealthyThreshold;
  }

  /** True until the first result. */
  get pendingFirstCheck(): boolean {
    return this.firstCheck;
  }

  success(): HealthTransition {
    this.numUnhealthy = 0;
    let t: HealthTransition = 'unchanged';
    if (this.host.failedActiveHealthCheck) {
      if (this.firstCheck || ++this.numHealthy >= this.healthyThreshold) {
        this.host.failedActiveHealthCheck = false;
        this.numHealthy = 0;
        t = 'changed';
      } else {
        t = 'change_pending';
      }
    }
    this.firstCheck = false;
    return t;
  }

  /** `retriable`: an HTTP status listed in `retriable_statuses` (counts against the threshold). */
  failure(kind: FailureKind, retriable = false): HealthTransition {
    this.numHealthy = 0;
    let t: HealthTransition = 'unchanged';
    if (!this.host.failedActiveHealthCheck) {
      if ((kind === 'active' && !retriable) || ++this.numUnhealthy >= this.unhealthyThreshold) {
        this.host.failedActiveHealthCheck = true;
        this.numUnhealthy = 0;
        t = 'changed';
      } else {
        t = 'change_pending';
      }
    }
    this.firstCheck = false;
    return t;
  }
}

/**
 * Milliseconds until the next check (HealthCheckerImplBase::interval): `no_traffic_interval` while the
 * cluster has never had traffic (`no_traffic_healthy_interval` for a healthy host), else `interval` or
 * `unhealthy_interval` by this check's outcome, or their `*_edge_interval` while a threshold is pending;
 * plus a random jitter below `interval_jitter`.
 */
export function nextCheckDelayMs(
  cfg: HealthCheck,
  outcomeHealthy: boolean,
  transition: HealthTransition,
  hadTraffic: boolean,
  random: () => number,
): number {
  let base: number;
  if (!hadTraffic) {
    base = outcomeHealthy ? cfg.noTrafficHealthyIntervalMs : cfg.noTrafficIntervalMs;
  } else if (outcomeHealthy) {
    base = transition === 'change_pending' ? cfg.healthyEdgeIntervalMs : cfg.intervalMs;
  } else {
    base = transition === 'change_pending' ? cfg.unhealthyEdgeIntervalMs : cfg.unhealthyIntervalMs;
  }
  return base + (cfg.intervalJitterMs > 0 ? Math.floor(random() * cfg.intervalJitterMs) : 0);
}

/** Whether `status` falls in one of the half-open ranges. */
export function statusInRanges(status: number, ranges: readonly { start: number; end: number }[]): boolean {
  return ranges.some((r) => status >= r.start && status < r.end);
}
