// The set of upstream clusters, kept in step with the configuration (Envoy's ClusterManager).
//
// `update()` takes the full list after every config load: a cluster whose config is unchanged is left
// alone (same Host objects, same pools, same DNS timers); a new one is added and serves at once (its
// DNS hosts arrive as they resolve); a modified one is built beside the old and replaces it once it
// has warmed (initial resolution done), so traffic never sees an empty DNS cluster; a removed one is
// closed and its stats dropped. `ready()` is Envoy's cluster warming at start-up: listeners wait for
// the initial resolutions, bounded so that a dead DNS name cannot hold the proxy forever.
import type { Cluster } from '../config/model.ts';
import type { IntegerRuntime } from '../router/cluster-choice.ts';
import type { StatsStore } from '../stats/store.ts';
import { clusterConfigEqual } from './cluster-config-equal.ts';
import { ClusterManagerStats, removeClusterStats } from './cluster-stats.ts';
import { createResolver, type Resolver } from './resolver.ts';
import { UpstreamCluster, type UpstreamLog } from './upstream-cluster.ts';

export type { UpstreamCluster, UpstreamLog };

export interface ClusterManagerOptions {
  stats: StatsStore;
  /** Defaults to the system resolver without a hosts-file override. */
  resolver?: Resolver;
  log?: UpstreamLog;
  /** Uniform in [0, 1), for load balancers and DNS jitter. */
  random?: () => number;
  /** The proxy's runtime, read by the load balancers (`upstream.healthy_panic_threshold`). */
  runtime?: IntegerRuntime;
  /** Longest wait for one DNS resolution; default 5000 ms. */
  dnsTimeoutMs?: number;
  /** Default bound of `ready()`; 10 000 ms. */
  warmTimeoutMs?: number;
}

export class ClusterManager {
  private readonly active = new Map<string, UpstreamCluster>();
  /** Replacements for modified clusters, waiting for their initial resolution. */
  private readonly warming = new Map<string, UpstreamCluster>();
  private readonly opts: ClusterManagerOptions;
  private readonly resolver: Resolver;
  private readonly log: UpstreamLog;
  private readonly cmStats: ClusterManagerStats;

  constructor(opts: ClusterManagerOptions) {
    this.opts = opts;
    this.resolver = opts.resolver ?? createResolver();
    this.log = opts.log ?? (() => {});
    this.cmStats = new ClusterManagerStats(opts.stats);
  }

  get(name: string): UpstreamCluster | undefined {
    return this.active.get(name);
  }

  all(): Iterable<UpstreamCluster> {
    return this.active.values();
  }

  update(clusters: readonly Cluster[]): void {
    const wanted = new Map<string, Cluster>();
    for (const c of clusters) wanted.set(c.name, c);

    for (const [name, current] of this.active) {
      if (wanted.has(name)) continue;
      this.active.delete(name);
      this.cancelWarming(name);
      current.close();
      removeClusterStats(this.opts.stats, name, wanted.keys());
      this.cmStats.cluster_removed.inc();
      this.log('info', `cluster '${name}' removed`);
    }

    for (const config of wanted.values()) {
      const current = this.active.get(config.name);
      if (!current) {
        const c = this.create(config, true);
        this.active.set(config.name, c);
        this.cmStats.cluster_added.inc();
        void c.initialized.then(() => this.updateGauges());
        this.log('info', `cluster '${config.name}' added`);
        continue;
      }
      if (clusterConfigEqual(current.config, config)) {
        // Back to the serving config: a pending replacement is no longer wanted.
        this.cancelWarming(config.name);
        continue;
      }
      const pending = this.warming.get(config.name);
      if (pending && clusterConfigEqual(pending.config, config)) continue;
      this.cancelWarming(config.name);
      const replacement = this.create(config, false);
      this.warming.set(config.name, replacement);
      this.cmStats.cluster_modified.inc();
      this.log('info', `cluster '${config.name}' modified; warming`);
      void replacement.initialized.then(() => this.promote(replacement));
    }
    this.updateGauges();
  }

  /**
   * Settles when every cluster (and pending replacement) has finished its initial resolution, or after
   * `timeoutMs`, whichever comes first; it never rejects. A cluster still warming then serves with
   * whatever hosts it has (none yet: 503 UH) until DNS answers.
   */
  ready(timeoutMs = this.opts.warmTimeoutMs ?? 10_000): Promise<void> {
    const all = [...this.active.values(), ...this.warming.values()];
    const waiting = Promise.all(all.map((c) => c.initialized)).then(() => true);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return Promise.race([waiting, timeout]).then((done) => {
      clearTimeout(timer);
      if (!done) {
        const slow = all.filter((c) => !c.isInitialized).map((c) => c.name);
        this.log('warn', `clusters still warming after ${timeoutMs} ms: ${slow.join(', ')}`);
      }
    });
  }

  close(): void {
    for (const c of this.active.values()) c.close();
    for (const c of this.warming.values()) c.close();
    this.active.clear();
    this.warming.clear();
    this.updateGauges();
  }

  private create(config: Cluster, publishGauges: boolean): UpstreamCluster {
    const o = this.opts;
    const c = new UpstreamCluster(config, {
      stats: o.stats,
      publishGauges,
      resolver: this.resolver,
      log: this.log,
      ...(o.random ? { random: o.random } : {}),
      ...(o.runtime ? { runtime: o.runtime } : {}),
      ...(o.dnsTimeoutMs !== undefined ? { dnsTimeoutMs: o.dnsTimeoutMs } : {}),
    });
    c.start();
    return c;
  }

  private promote(replacement: UpstreamCluster): void {
    const name = replacement.name;
    if (this.warming.get(name) !== replacement) return;
    this.warming.delete(name);
    const old = this.active.get(name);
    this.active.set(name, replacement);
    old?.close();
    replacement.publish();
    this.log('info', `cluster '${name}' warmed; now serving the new config`);
    this.updateGauges();
  }

  private cancelWarming(name: string): void {
    const pending = this.warming.get(name);
    if (!pending) return;
    this.warming.delete(name);
    pending.close();
  }

  private updateGauges(): void {
    let warmingCount = this.warming.size;
    for (const c of this.active.values()) if (!c.isInitialized) warmingCount++;
    this.cmStats.active_clusters.set(this.active.size);
    this.cmStats.warming_clusters.set(warmingCount);
  }
}
