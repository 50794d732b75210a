// The request path's view of the clusters: for each cluster, its request stats and one connection
// pool per host. Kept in step with the ClusterManager after every configuration change; a cluster
// whose definition is unchanged keeps its pools (and their warm connections).
import type { StatsStore } from '../stats/store.ts';
import type { ClusterManager, UpstreamCluster } from '../upstream/cluster-manager.ts';
import { ConnectionPool } from '../upstream/connection-pool.ts';
import type { Host } from '../upstream/host.ts';
import { ClusterResources, type RoutingPriority } from '../upstream/resource-manager.ts';
import type { ClusterHandle } from './contexts.ts';
import { ClusterRequestStats } from './request-stats.ts';

class Handle implements ClusterHandle {
  readonly name: string;
  readonly stats: ClusterRequestStats;
  readonly upstream: UpstreamCluster;
  readonly resources: ClusterResources;
  /** Pools by host key, DEFAULT priority; HIGH-priority pools (rare) in their own map. */
  readonly pools = new Map<string, ConnectionPool>();
  private readonly highPools = new Map<string, ConnectionPool>();

  constructor(upstream: UpstreamCluster, store: StatsStore) {
    this.upstream = upstream;
    this.name = upstream.config.name;
    this.stats = new ClusterRequestStats(store, this.name);
    this.resources = new ClusterResources(
      this.name,
      upstream.config.circuitBreakers?.thresholds ?? [],
      store,
    );
  }

  chooseHost(hash?: bigint): Host | undefined {
    return this.upstream.chooseHost(hash);
  }

  pool(host: Host, priority?: RoutingPriority): ConnectionPool {
    const pools = priority === 'HIGH' ? this.highPools : this.pools;
    let p = pools.get(host.key);
    if (!p) {
      p = new ConnectionPool(host, this.upstream.config, this.stats, this.resources.forPriority(priority));
      pools.set(host.key, p);
    }
    return p;
  }

  /** Idle connections to hosts that left the cluster (DNS change) are closed. */
  prune(): void {
    const live = new Set(this.upstream.hosts.map((h) => h.key));
    for (const pools of [this.pools, this.highPools]) this.prunePools(pools, live);
  }

  private prunePools(pools: Map<string, ConnectionPool>, live: ReadonlySet<string>): void {
    for (const [key, pool] of pools) {
      if (!live.has(key)) {
        pool.closeIdle();
        if (pool.size === 0) pools.delete(key);
      }
    }
  }

  close(): void {
    for (const p of this.pools.values()) p.closeIdle();
    for (const p of this.highPools.values()) p.closeIdle();
  }
}

export class ClusterRegistry {
  private readonly handles = new Map<string, Handle>();
  private readonly manager: ClusterManager;
  private readonly store: StatsStore;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(manager: ClusterManager, store: StatsStore) {
    this.manager = manager;
    this.store = store;
    this.pruneTimer = setInterval(() => {
      for (const h of this.handles.values()) h.prune();
    }, 5000);
    this.pruneTimer.unref();
  }

  get(name: string): ClusterHandle | undefined {
    return this.handles.get(name);
  }

  sync(): void {
    const seen = new Set<string>();
    for (const uc of this.manager.all()) {
      const name = uc.config.name;
      seen.add(name);
      const h = this.handles.get(name);
      if (h && h.upstream === uc) continue;
      h?.close();
      this.handles.set(name, new Handle(uc, this.store));
    }
    for (const [name, h] of this.handles) {
      if (!seen.has(name)) {
        h.close();
        this.handles.delete(name);
      }
    }
  }

  close(): void {
    clearInterval(this.pruneTimer);
    for (const h of this.handles.values()) h.close();
    this.handles.clear();
  }
}
