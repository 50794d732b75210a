// What a request needs from the rest of the proxy, as narrow interfaces: the request path depends on
// these, not on the server that wires them, which keeps it testable and the reload logic in one place.
import type { HttpConnectionManager, RouteAction } from '../config/model.ts';
import type { FaultFilter } from '../filters/fault-filter.ts';
import type { IntegerRuntime, WeightedChoice } from '../router/cluster-choice.ts';
import type { RouteTable } from '../router/route-table.ts';
import type { ConnectionPool } from '../upstream/connection-pool.ts';
import type { Host } from '../upstream/host.ts';
import type { ClusterResources, RoutingPriority } from '../upstream/resource-manager.ts';
import type { AccessLogRecord } from './access-log-record.ts';
import type { ClusterRequestStats, HcmStats } from './request-stats.ts';

/** One HTTP connection manager's live configuration; replaced as a whole on reload. */
export interface HcmContext {
  readonly hcm: HttpConnectionManager;
  readonly routes: RouteTable;
  readonly weighted: ReadonlyMap<RouteAction, WeightedChoice>;
  readonly stats: HcmStats;
  readonly upgradeTypes: ReadonlySet<string>;
  /** undefined when the HCM has no access log (the common, fast case). */
  readonly accessLog: ((r: AccessLogRecord) => void) | undefined;
  /** The `envoy.filters.http.fault` filter, when the HCM has one. */
  readonly fault?: FaultFilter | undefined;
}

export interface ClusterHandle {
  readonly name: string;
  readonly stats: ClusterRequestStats;
  /** The cluster's circuit breakers, per routing priority. */
  readonly resources: ClusterResources;
  /** `hash`: the route's hash-policy hash, for RING_HASH / MAGLEV clusters. */
  chooseHost(hash?: bigint): Host | undefined;
  /** The host's connection pool for a routing priority (Envoy keeps one per priority); DEFAULT when omitted. */
  pool(host: Host, priority?: RoutingPriority): ConnectionPool;
}

export interface ProxyCore {
  readonly runtime: IntegerRuntime;
  cluster(name: string): ClusterHandle | undefined;
  /** True while draining after SIGTERM: every response carries `connection: close`. */
  readonly draining: boolean;
}
