// A cluster's circuit breakers (envoy.config.cluster.v3.CircuitBreakers), as Envoy's ResourceManagerImpl:
// one manager per routing priority (DEFAULT, HIGH), each with four counted resources shared by every
// host of the cluster: connections, pending requests, active requests and active retries. A resource
// "can create" while its count is below its max; the `circuit_breakers.<priority>.<x>_open` gauge is 1
// while it cannot, and with `track_remaining` the `remaining_<x>` gauge says how many are left.
//
// Who checks what (Envoy's HTTP/1 connection pool and router): the pool refuses a new request when the
// pending queue is full or, for an idle connection, when max_requests is reached (both
// `upstream_rq_pending_overflow`, 503 UO); it holds a request pending instead of connecting when
// max_connections is reached (`upstream_cx_overflow`); the retry state refuses a retry when max_retries
// is reached (`upstream_rq_retry_overflow`).
import { DEFAULT_THRESHOLDS } from '../config/convert-cluster.ts';
import type { CircuitBreakerThresholds } from '../config/model.ts';
import type { Gauge, StatsStore } from '../stats/store.ts';

export type RoutingPriority = 'DEFAULT' | 'HIGH';

export class Resource {
  count = 0;
  readonly max: number;
  private readonly open: Gauge | undefined;
  private readonly remaining: Gauge | undefined;

  constructor(max: number, open?: Gauge, remaining?: Gauge) {
    this.max = max;
    this.open = open;
    this.remaining = remaining;
    this.publish();
  }

  canCreate(): boolean {
    return this.count < this.max;
  }

  inc(): void {
    this.count++;
    this.publish();
  }

  dec(): void {
    if (this.count > 0) this.count--;
    this.publish();
  }

  private publish(): void {
    // Only on a change of state: the open gauge is written twice per request at most.
    const open = this.count >= this.max ? 1 : 0;
    if (this.open && this.open.value !== open) this.open.set(open);
    if (this.remaining) this.remaining.set(Math.max(0, this.max - this.count));
  }
}

export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: Resource;

  constructor(t: Omit<CircuitBreakerThresholds, 'priority'>, gauges?: (name: string) => Gauge) {
    const g = (name: string) => gauges?.(name);
    const r = (name: string) => (t.trackRemaining ? gauges?.(name) : undefined);
    this.connections = new Resource(t.maxConnections, g('cx_open'), r('remaining_cx'));
    this.pendingRequests = new Resource(t.maxPendingRequests, g('rq_pending_open'), r('remaining_pending'));
    this.requests = new Resource(t.maxRequests, g('rq_open'), r('remaining_rq'));
    this.retries = new Resource(t.maxRetries, g('rq_retry_open'), r('remaining_retries'));
  }
}

/** Both priorities' managers for one cluster, publishing `cluster.<name>.circuit_breakers.<priority>.*`. */
export class ClusterResources {
  readonly default: ResourceManager;
  readonly high: ResourceManager;

  constructor(clusterName: string, thresholds: readonly CircuitBreakerThresholds[], store?: StatsStore) {
    this.default = ClusterResources.manager(clusterName, 'DEFAULT', thresholds, store);
    this.high = ClusterResources.manager(clusterName, 'HIGH', thresholds, store);
  }

  forPriority(priority: RoutingPriority | undefined): ResourceManager {
    return priority === 'HIGH' ? this.high : this.default;
  }

  private static manager(
    cluster: string,
    priority: RoutingPriority,
    thresholds: readonly CircuitBreakerThresholds[],
    store: StatsStore | undefined,
  ): ResourceManager {
    // "If multiple Thresholds are defined with the same RoutingPriority, the first one in the list is
    // used"; a priority with none gets Envoy's defaults.
    const t = thresholds.find((x) => x.priority === priority) ?? DEFAULT_THRESHOLDS;
    const prefix = `cluster.${cluster}.circuit_breakers.${priority.toLowerCase()}.`;
    return new ResourceManager(t, store ? (name) => store.gauge(prefix + name) : undefined);
  }
}
