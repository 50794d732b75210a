// Consecutive-error outlier detection for one cluster (Envoy's Outlier::DetectorImpl with
// `split_external_local_origin_errors` false), pure: time comes from an injected clock, and the cluster
// calls `sweep()` every `interval` (the timer lives there).
//
// - Every upstream result reaches the host's monitor as an HTTP code. A 5xx counts towards
//   `consecutive_5xx`; a 502/503/504 also towards `consecutive_gateway_failure`; anything else resets
//   both (a 5xx that is not a gateway error resets the gateway count). Reaching a threshold exactly is
//   a detection (`ejections_detected_*`), after which that count starts again from 0.
// - A detection ejects when fewer than `max_ejection_percent` of the hosts are ejected already (so at
//   least one host can always be ejected) — otherwise `ejections_overflow` — and then only when the
//   `enforcing_*` percentage draws it (defaults 100 for 5xx, 0 for gateway failures: detected, not
//   enforced).
// - An ejected host is unhealthy (`failed_outlier_check`) for base_ejection_time × its back-off,
//   capped at max_ejection_time; the back-off grows by one at each ejection and shrinks by one at each
//   sweep the host spends un-ejected, so a host that keeps failing stays out longer each time. Hosts
//   come back only at a sweep, so un-ejection happens up to `interval` late, as in Envoy.
import type { OutlierDetection } from '../config/model.ts';
import type { Counter, Gauge, StatsStore } from '../stats/store.ts';
import { NO_OUTLIER_MONITOR, type OutlierMonitor } from './host.ts';

/** What the detector reads and writes on a host; `Host` satisfies it. */
export interface OutlierHost {
  failedOutlierCheck: boolean;
  outlier: OutlierMonitor;
}

type EjectionType = 'consecutive_5xx' | 'consecutive_gateway_failure';

// ALL_OUTLIER_DETECTION_STATS (source/common/upstream/outlier_detection_impl.h): Envoy creates all of
// them with the detector, so they are listed at 0 before anything happens.
const COUNTERS = [
  'ejections_consecutive_5xx',
  'ejections_detected_consecutive_5xx',
  'ejections_detected_consecutive_gateway_failure',
  'ejections_detected_success_rate',
  'ejections_detected_failure_percentage',
  'ejections_enforced_consecutive_5xx',
  'ejections_enforced_consecutive_gateway_failure',
  'ejections_enforced_success_rate',
  'ejections_enforced_failure_percentage',
  'ejections_detected_consecutive_local_origin_failure',
  'ejections_enforced_consecutive_local_origin_failure',
  'ejections_detected_local_origin_success_rate',
  'ejections_enforced_local_origin_success_rate',
  'ejections_detected_local_origin_failure_percentage',
  'ejections_enforced_local_origin_failure_percentage',
  'ejections_enforced_total',
  'ejections_overflow',
  'ejections_success_rate',
  'ejections_total',
] as const;

type OutlierCounter = (typeof COUNTERS)[number];

/** `cluster.<name>.outlier_detection.*`. */
export class OutlierStats {
  readonly counters: Readonly<Record<OutlierCounter, Counter>>;
  readonly ejections_active: Gauge;

  constructor(store: StatsStore, clusterName: string) {
    const p = `cluster.${clusterName}.outlier_detection.`;
    const c = {} as Record<OutlierCounter, Counter>;
    for (const n of COUNTERS) c[n] = store.counter(p + n);
    this.counters = c;
    this.ejections_active = store.gauge(`${p}ejections_active`);
  }
}

export interface OutlierDetectorOptions {
  stats: OutlierStats;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Uniform in [0, 1), for the `enforcing_*` draws. */
  random?: () => number;
  /** Called after a host is ejected or comes back (the cluster refreshes its gauges). */
  onHealthChange?: (host: OutlierHost) => void;
}

type MonitorView = Pick<
  HostMonitor,
  'consecutive5xx' | 'consecutiveGatewayFailure' | 'numEjections' | 'backoff'
>;

class HostMonitor implements OutlierMonitor {
  consecutive5xx = 0;
  consecutiveGatewayFailure = 0;
  numEjections = 0;
  lastEjectionMs = 0;
  /** Envoy's eject_time_backoff_: the multiplier of base_ejection_time for the current ejection. */
  backoff = 0;
  readonly host: OutlierHost;
  private readonly detector: OutlierDetector;

  constructor(detector: OutlierDetector, host: OutlierHost) {
    this.detector = detector;
    this.host = host;
  }

  putHttpResponseCode(code: number): void {
    const cfg = this.detector.config;
    if (code >= 500 && code <= 599) {
      if (code === 502 || code === 503 || code === 504) {
        if (++this.consecutiveGatewayFailure === cfg.consecutiveGatewayFailure) {
          this.detector.onConsecutiveError(this, 'consecutive_gateway_failure');
        }
      } else {
        this.consecutiveGatewayFailure = 0;
      }
      if (++this.consecutive5xx === cfg.consecutive5xx) {
        this.detector.onConsecutiveError(this, 'consecutive_5xx');
      }
    } else {
      this.consecutive5xx = 0;
      this.consecutiveGatewayFailure = 0;
    }
  }
}

export class OutlierDetector {
  readonly config: OutlierDetection;
  private readonly stats: OutlierStats;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onHealthChange: (host: OutlierHost) => void;
  private readonly monitors = new Map<OutlierHost, HostMonitor>();
  private ejectionsActive = 0;

  constructor(config: OutlierDetection, opts: OutlierDetectorOptions) {
    this.config = config;
    this.stats = opts.stats;
    this.now = opts.now;
    this.random = opts.random ?? Math.random;
    this.onHealthChange = opts.onHealthChange ?? (() => {});
  }

  /** Follows a membership change: new hosts get a monitor, removed ones drop theirs (and their ejection). */
  setHosts(hosts: readonly OutlierHost[]): void {
    const wanted = new Set(hosts);
    for (const [host, m] of this.monitors) {
      if (wanted.has(host)) continue;
      if (host.failedOutlierCheck) this.setActive(this.ejectionsActive - 1);
      this.monitors.delete(host);
      if (host.outlier === m) host.outlier = NO_OUTLIER_MONITOR;
    }
    for (const host of hosts) {
      if (this.monitors.has(host)) continue;
      const m = new HostMonitor(this, host);
      this.monitors.set(host, m);
      host.outlier = m;
    }
  }

  /** The consecutive counts and ejection count of a host (for tests and /clusters). */
  monitorOf(host: OutlierHost): Readonly<MonitorView> | undefined {
    return this.monitors.get(host);
  }

  /** Detaches every monitor (the cluster is closing or replaced). */
  close(): void {
    for (const [host, m] of this.monitors) if (host.outlier === m) host.outlier = NO_OUTLIER_MONITOR;
    this.monitors.clear();
  }

  /**
   * An ejected host that passed an active health check comes back at once, its counts cleared
   * (`successful_active_health_check_uneject_host`, Envoy's DetectorImpl::unejectHost).
   */
  activeHealthCheckPassed(host: OutlierHost): void {
    const m = this.monitors.get(host);
    if (!m || !host.failedOutlierCheck || !this.config.successfulActiveHealthCheckUnejectHost) return;
    this.uneject(host, m);
  }

  /** Envoy's interval timer: un-ejects hosts whose time is up and decays the others' back-off. */
  sweep(): void {
    const now = this.now();
    const base = this.config.baseEjectionTimeMs;
    for (const [host, m] of this.monitors) {
      if (!host.failedOutlierCheck) {
        if (m.backoff > 0) m.backoff--;
        continue;
      }
      if (Math.min(base * m.backoff, this.config.maxEjectionTimeMs) <= now - m.lastEjectionMs) {
        this.uneject(host, m);
      }
    }
  }

  private uneject(host: OutlierHost, m: HostMonitor): void {
    this.setActive(this.ejectionsActive - 1);
    host.failedOutlierCheck = false;
    // As Envoy: start counting afresh, so a few new errors do not re-eject at once.
    m.consecutive5xx = 0;
    m.consecutiveGatewayFailure = 0;
    this.onHealthChange(host);
  }

  /** A host monitor reached a threshold (DetectorImpl::onConsecutiveErrorWorker). */
  onConsecutiveError(m: HostMonitor, type: EjectionType): void {
    if (!this.monitors.has(m.host) || m.host.failedOutlierCheck) return;
    const c = this.stats.counters;
    c[`ejections_detected_${type}`].inc();
    this.eject(m, type);
    if (type === 'consecutive_5xx') {
      c.ejections_consecutive_5xx.inc(); // deprecated, still counted by Envoy
      m.consecutive5xx = 0;
    } else {
      m.consecutiveGatewayFailure = 0;
    }
  }

  private eject(m: HostMonitor, type: EjectionType): void {
    const c = this.stats.counters;
    const maxPercent = Math.min(100, this.config.maxEjectionPercent);
    const ejectedPercent = (100 * this.ejectionsActive) / this.monitors.size;
    if (!(ejectedPercent < maxPercent)) {
      c.ejections_overflow.inc();
      return;
    }
    if (type === 'consecutive_5xx') c.ejections_total.inc(); // deprecated, as Envoy
    const enforcing =
      type === 'consecutive_5xx'
        ? this.config.enforcingConsecutive5xx
        : this.config.enforcingConsecutiveGatewayFailure;
    // Runtime featureEnabled(key, percent): a draw in [0, 100) under the percentage.
    if (!(this.random() * 100 < enforcing)) return;
    this.setActive(this.ejectionsActive + 1);
    c.ejections_enforced_total.inc();
    c[`ejections_enforced_${type}`].inc();
    m.host.failedOutlierCheck = true;
    m.numEjections++;
    m.lastEjectionMs = this.now();
    const base = this.config.baseEjectionTimeMs;
    if (m.backoff * base < this.config.maxEjectionTimeMs + base) m.backoff++;
    this.onHealthChange(m.host);
  }

  private setActive(n: number): void {
    this.ejectionsActive = n;
    this.stats.ejections_active.set(n);
  }
}
