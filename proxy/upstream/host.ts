// One upstream endpoint as the load balancer and /clusters see it. Per-host stats are plain fields
// (Envoy keeps them per host and prints them in /clusters, not in /stats).

/**
 * Where the request path reports each upstream result for outlier detection (Envoy's
 * `Outlier::DetectorHostMonitor`): the response code, or for a failure without a response the code it
 * maps to — connect failure or reset 503, timeout 504 (`split_external_local_origin_errors` false).
 */
export interface OutlierMonitor {
  putHttpResponseCode(code: number): void;
}

/** The monitor of a host whose cluster has no outlier detection. */
export const NO_OUTLIER_MONITOR: OutlierMonitor = { putHttpResponseCode() {} };

export interface HostStats {
  cx_total: number;
  cx_active: number;
  cx_connect_fail: number;
  rq_total: number;
  rq_active: number;
  rq_success: number;
  rq_error: number;
  rq_timeout: number;
}

export class Host {
  /**
   * `ip:port`, stable identity across DNS refreshes (pools are keyed by it). For a LOGICAL_DNS host it
   * keeps the first resolved address while `address` follows DNS.
   */
  readonly key: string;
  readonly stats: HostStats = {
    cx_total: 0,
    cx_active: 0,
    cx_connect_fail: 0,
    rq_total: 0,
    rq_active: 0,
    rq_success: 0,
    rq_error: 0,
    rq_timeout: 0,
  };
  /** Envoy health flags as printed by /clusters (`health_flags::healthy` when none is set). */
  failedActiveHealthCheck = false;
  failedOutlierCheck = false;
  pendingDynamicRemoval = false;
  /** Replaced by the cluster's outlier detector when it has one. */
  outlier: OutlierMonitor = NO_OUTLIER_MONITOR;

  /**
   * Resolved IP address. Only a LOGICAL_DNS cluster changes it, on re-resolution: like Envoy's
   * `LogicalHost::setNewAddresses`, the host stays one member (same stats, same pool) and new
   * connections go to the latest address.
   */
  address: string;
  readonly port: number;
  /** The name it was resolved from (STRICT_DNS/LOGICAL_DNS), or the address itself. */
  readonly hostname: string;
  /** `load_balancing_weight`. */
  weight: number;

  constructor(address: string, port: number, hostname: string, weight: number) {
    this.address = address;
    this.port = port;
    this.hostname = hostname;
    this.weight = weight;
    this.key = `${address}:${port}`;
  }

  get healthy(): boolean {
    return !this.failedActiveHealthCheck && !this.failedOutlierCheck;
  }
}
