// One upstream cluster: its membership (static, or discovered by DNS), its load balancer and the
// Envoy stats that describe both.
//
// - STATIC: the endpoints are the hosts.
// - STRICT_DNS: every endpoint's name is resolved every `dns_refresh_rate`; each address becomes a
//   host with the endpoint's port and weight (a Kubernetes headless Service: one host per pod). An
//   empty answer empties the set (Envoy treats NXDOMAIN/NODATA as success); a failed resolution keeps
//   the previous hosts and counts `update_failure`.
// - LOGICAL_DNS: one host, the first address of the single endpoint; re-resolution moves that host to
//   the latest address (new connections go there) without a membership change; an empty answer or a
//   failure keeps the current address and counts `update_failure`, as Envoy's LogicalDnsCluster.
//
// With `outlier_detection`, an OutlierDetector watches every host's results and ejects failing ones;
// with `health_checks`, a HealthChecker checks every host, and the cluster counts as initialized only
// after each host's first check (Envoy's initial health-check round). Hosts that STRICT_DNS adds start
// as `failed_active_hc` until their first check passes (Envoy's updateDynamicHostList); static hosts
// start healthy. Both only set flags on the hosts: the load balancer skips unhealthy hosts.
import type { Cluster } from '../config/model.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import type { StatsStore } from '../stats/store.ts';
import { ClusterStats } from './cluster-stats.ts';
import { DnsRefresher } from './dns-refresher.ts';
import { HealthChecker, HealthCheckStats } from './health-checker.ts';
import { Host } from './host.ts';
import { createLoadBalancer, type LoadBalancer } from './load-balancer.ts';
import { OutlierDetector, OutlierStats } from './outlier-detector.ts';
import { reconcileHosts } from './reconcile-hosts.ts';
import type { Resolver } from './resolver.ts';

export type UpstreamLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

export interface UpstreamClusterOptions {
  stats: StatsStore;
  resolver: Resolver;
  log?: UpstreamLog;
  /** Uniform in [0, 1); for the load balancer and DNS jitter. */
  random?: () => number;
  /** The proxy's runtime: `upstream.healthy_panic_threshold` overrides the cluster's threshold. */
  runtime?: IntegerRuntime;
  /** Longest wait for one DNS resolution before it counts as failed; default 5000 ms. */
  dnsTimeoutMs?: number;
  /**
   * False for a replacement warming beside the cluster it will replace (same stat names): it keeps its
   * membership gauges to itself until `publish()`, so they keep describing the cluster that serves.
   */
  publishGauges?: boolean;
}

interface StrictDnsTarget {
  readonly refresher: DnsRefresher;
  hosts: readonly Host[];
}

export class UpstreamCluster {
  readonly config: Cluster;
  readonly name: string;
  readonly stats: ClusterStats;
  /** Settles when the initial membership is known: at once for STATIC, after each name's first resolution for DNS. */
  readonly initialized: Promise<void>;
  private currentHosts: readonly Host[] = [];
  private readonly lb: LoadBalancer<Host>;
  private readonly log: UpstreamLog;
  private readonly targets: StrictDnsTarget[] = [];
  private readonly refreshers: DnsRefresher[] = [];
  private warm = false;
  private closed = false;
  private started = false;
  private startedSignal: () => void = () => {};
  private readonly outlierDetector: OutlierDetector | undefined;
  private outlierTimer: NodeJS.Timeout | undefined;
  private readonly healthChecker: HealthChecker<Host> | undefined;
  private publishing: boolean;

  constructor(config: Cluster, opts: UpstreamClusterOptions) {
    this.config = config;
    this.name = config.name;
    this.log = opts.log ?? (() => {});
    this.publishing = opts.publishGauges ?? true;
    const random = opts.random ?? Math.random;
    this.stats = new ClusterStats(opts.stats, config.name);
    this.lb = createLoadBalancer<Host>(config.lbPolicy, {
      random,
      panicCounter: this.stats.lb_healthy_panic,
      ...(config.healthyPanicThreshold !== undefined
        ? { healthyPanicThreshold: config.healthyPanicThreshold }
        : {}),
      ...(opts.runtime ? { runtime: opts.runtime } : {}),
      ...(config.ringHash ?? {}),
      ...(config.maglevTableSize !== undefined ? { tableSize: config.maglevTableSize } : {}),
    });
    if (config.outlierDetection) {
      this.outlierDetector = new OutlierDetector(config.outlierDetection, {
        stats: new OutlierStats(opts.stats, config.name),
        now: () => performance.now(),
        random,
        onHealthChange: () => this.updateMembershipGauges(),
      });
    }
    const hc = config.healthChecks?.[0];
    if (hc) {
      this.healthChecker = new HealthChecker<Host>(hc, {
        clusterName: config.name,
        stats: new HealthCheckStats(opts.stats, config.name),
        hadTraffic: () => this.currentHosts.some((h) => h.stats.cx_total > 0),
        onHealthChange: (h) => {
          this.log(
            'info',
            `cluster '${this.name}': health check marks ${hostKey(h)} ${h.failedActiveHealthCheck ? 'unhealthy' : 'healthy'}`,
          );
          this.updateMembershipGauges();
        },
        random,
        onPassed: (h) => this.outlierDetector?.activeHealthCheckPassed(h),
        ...(config.tls ? { tls: config.tls } : {}),
        publishing: () => this.publishing,
      });
    }
    const dns = {
      family: config.dnsLookupFamily,
      refreshRateMs: config.dnsRefreshRateMs,
      timeoutMs: opts.dnsTimeoutMs ?? 5000,
      resolver: opts.resolver,
      random,
      onAttempt: () => this.stats.update_attempt.inc(),
    };

    if (config.type === 'STATIC') {
      this.setHosts(config.endpoints.map((e) => new Host(e.address, e.port, e.address, e.weight)));
    } else if (config.type === 'STRICT_DNS') {
      for (const endpoint of config.endpoints) {
        const target: StrictDnsTarget = {
          hosts: [],
          refresher: new DnsRefresher({
            ...dns,
            name: endpoint.address,
            onResolved: (addresses) => {
              this.stats.update_success.inc();
              const r = reconcileHosts(target.hosts, addresses, endpoint);
              if (r.added === 0 && r.removed === 0) {
                this.stats.update_no_rebuild.inc();
                return;
              }
              target.hosts = r.hosts;
              this.log(
                'info',
                `cluster '${this.name}': ${endpoint.address} resolved to [${addresses.join(', ')}]`,
              );
              this.setHosts(this.targets.flatMap((t) => t.hosts));
            },
            onFailed: (err) => this.resolutionFailed(endpoint.address, err),
          }),
        };
        this.targets.push(target);
        this.refreshers.push(target.refresher);
      }
    } else {
      // The config loader enforces Envoy's "exactly one endpoint" for LOGICAL_DNS.
      const endpoint = config.endpoints[0];
      if (endpoint) {
        this.refreshers.push(
          new DnsRefresher({
            ...dns,
            name: endpoint.address,
            onResolved: (addresses) => {
              const first = addresses[0];
              if (first === undefined) {
                this.resolutionFailed(endpoint.address, new Error('no address'));
                return;
              }
              this.stats.update_success.inc();
              const host = this.currentHosts[0];
              if (!host) {
                this.setHosts([new Host(first, endpoint.port, endpoint.address, endpoint.weight)]);
              } else if (host.address !== first) {
                this.log('info', `cluster '${this.name}': ${endpoint.address} now resolves to ${first}`);
                host.address = first;
              }
            },
            onFailed: (err) => this.resolutionFailed(endpoint.address, err),
          }),
        );
      }
    }
    this.warm = this.refreshers.length === 0 && !this.healthChecker;
    const started = new Promise<void>((r) => {
      this.startedSignal = r;
    });
    const membership = Promise.all(this.refreshers.map((r) => r.firstResolution));
    const checker = this.healthChecker;
    this.initialized = (
      checker ? Promise.all([membership, started]).then(() => checker.firstRound()) : membership
    ).then(() => {
      this.warm = true;
    });
    this.updateMembershipGauges();
  }

  /** Starts DNS discovery (DNS types), active health checks and the outlier detector's sweeps. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (const r of this.refreshers) r.start();
    this.healthChecker?.setHosts(this.currentHosts);
    const od = this.outlierDetector;
    if (od) {
      this.outlierTimer = setInterval(() => od.sweep(), od.config.intervalMs);
      this.outlierTimer.unref();
    }
    this.startedSignal();
  }

  get hosts(): readonly Host[] {
    return this.currentHosts;
  }

  /** True once `initialized` has settled (Envoy: the cluster has finished warming). */
  get isInitialized(): boolean {
    return this.warm;
  }

  /**
   * The host for the next request, or undefined when there is none to use (the caller answers 503 with
   * flag UH and counts `upstream_cx_none_healthy`, as Envoy's cluster manager does).
   */
  chooseHost(hash?: bigint): Host | undefined {
    return this.lb.chooseHost(hash);
  }

  /** Re-reads host health into the membership gauges; call after changing a host's health flags. */
  healthChanged(): void {
    this.updateMembershipGauges();
  }

  /** Starts writing the membership gauges (a warmed replacement taking over). */
  publish(): void {
    this.publishing = true;
    this.updateMembershipGauges();
    this.healthChecker?.updateGauge();
  }

  close(): void {
    this.closed = true;
    for (const r of this.refreshers) r.close();
    clearInterval(this.outlierTimer);
    this.outlierDetector?.close();
    this.healthChecker?.close();
  }

  private resolutionFailed(name: string, err: Error): void {
    this.stats.update_failure.inc();
    this.log('warn', `cluster '${this.name}': DNS resolution of ${name} failed: ${err.message}`);
  }

  private setHosts(hosts: readonly Host[]): void {
    if (this.closed) return;
    const before = new Set(this.currentHosts);
    const changed = hosts.length !== before.size || hosts.some((h) => !before.has(h));
    if (this.healthChecker && this.config.type === 'STRICT_DNS') {
      for (const h of hosts) if (!before.has(h)) h.failedActiveHealthCheck = true;
    }
    this.currentHosts = hosts;
    this.lb.setHosts(hosts);
    this.outlierDetector?.setHosts(hosts);
    if (this.started) this.healthChecker?.setHosts(hosts);
    if (changed) this.stats.membership_change.inc();
    this.updateMembershipGauges();
  }

  private updateMembershipGauges(): void {
    if (!this.publishing) return;
    const s = this.stats;
    // Envoy sets max_host_weight when it rebuilds a dynamic host list; LOGICAL_DNS leaves it at 0.
    if (this.config.type !== 'LOGICAL_DNS') {
      s.max_host_weight.set(this.currentHosts.reduce((m, h) => Math.max(m, h.weight), 0));
    }
    let healthy = 0;
    for (const h of this.currentHosts) if (h.healthy) healthy++;
    s.membership_total.set(this.currentHosts.length);
    s.membership_healthy.set(healthy);
    s.membership_degraded.set(0);
    s.membership_excluded.set(0);
  }
}

function hostKey(h: { address: string; port: number }): string {
  return `${h.address}:${h.port}`;
}
