// Envoy's per-connection-manager and per-cluster request stats, looked up once and kept as object
// references so the request path only bumps fields. Names follow Envoy's docs
// (config/http/http_conn_man/stats and config/upstream/cluster_manager/cluster_stats).
import type { Counter, Gauge, Histogram, StatsStore } from '../stats/store.ts';
import type { UpstreamSslStats } from '../upstream/upstream-tls.ts';

/**
 * `<base>_1xx` … `<base>_5xx`, created on first use: Envoy's per-class (and per-code) stats appear only
 * once a response of that class was seen, and scrapers treat a missing series as 0.
 */
export class ClassCounters {
  private readonly store: StatsStore;
  private readonly base: string;
  private readonly byClass: (Counter | undefined)[] = [];

  constructor(store: StatsStore, base: string) {
    this.store = store;
    this.base = base;
  }

  charge(status: number): void {
    const cls = (status / 100) | 0;
    if (cls < 1 || cls > 5) return;
    let c = this.byClass[cls];
    if (!c) {
      c = this.store.counter(`${this.base}_${cls}xx`);
      this.byClass[cls] = c;
    }
    c.inc();
  }
}

export class HcmStats {
  readonly rqTotal: Counter;
  readonly rqHttp1Total: Counter;
  readonly rqActive: Gauge;
  readonly rqCompleted: Counter;
  readonly rqClass: ClassCounters;
  readonly rqTime: Histogram;
  readonly cxTotal: Counter;
  readonly cxHttp1Total: Counter;
  readonly cxActive: Gauge;
  readonly cxHttp1Active: Gauge;
  readonly cxSslTotal: Counter;
  readonly cxSslActive: Gauge;
  readonly cxDestroy: Counter;
  readonly cxDestroyRemote: Counter;
  readonly cxDestroyLocal: Counter;
  readonly cxProtocolError: Counter;
  readonly cxRxBytes: Counter;
  readonly cxTxBytes: Counter;
  readonly cxUpgrades: Counter;
  readonly rqRxReset: Counter;
  readonly rqTxReset: Counter;
  readonly rqTimeout: Counter;
  readonly rqIdleTimeout: Counter;
  readonly noRoute: Counter;
  readonly noCluster: Counter;
  readonly rqDirectResponse: Counter;

  constructor(store: StatsStore, statPrefix: string) {
    const p = `http.${statPrefix}.`;
    this.rqTotal = store.counter(`${p}downstream_rq_total`);
    this.rqHttp1Total = store.counter(`${p}downstream_rq_http1_total`);
    this.rqActive = store.gauge(`${p}downstream_rq_active`);
    this.rqCompleted = store.counter(`${p}downstream_rq_completed`);
    this.rqClass = new ClassCounters(store, `${p}downstream_rq`);
    this.rqTime = store.histogram(`${p}downstream_rq_time`);
    this.cxTotal = store.counter(`${p}downstream_cx_total`);
    this.cxHttp1Total = store.counter(`${p}downstream_cx_http1_total`);
    this.cxActive = store.gauge(`${p}downstream_cx_active`);
    this.cxHttp1Active = store.gauge(`${p}downstream_cx_http1_active`);
    this.cxSslTotal = store.counter(`${p}downstream_cx_ssl_total`);
    this.cxSslActive = store.gauge(`${p}downstream_cx_ssl_active`);
    this.cxDestroy = store.counter(`${p}downstream_cx_destroy`);
    this.cxDestroyRemote = store.counter(`${p}downstream_cx_destroy_remote`);
    this.cxDestroyLocal = store.counter(`${p}downstream_cx_destroy_local`);
    this.cxProtocolError = store.counter(`${p}downstream_cx_protocol_error`);
    this.cxRxBytes = store.counter(`${p}downstream_cx_rx_bytes_total`);
    this.cxTxBytes = store.counter(`${p}downstream_cx_tx_bytes_total`);
    this.cxUpgrades = store.counter(`${p}downstream_cx_upgrades_total`);
    this.rqRxReset = store.counter(`${p}downstream_rq_rx_reset`);
    this.rqTxReset = store.counter(`${p}downstream_rq_tx_reset`);
    this.rqTimeout = store.counter(`${p}downstream_rq_timeout`);
    this.rqIdleTimeout = store.counter(`${p}downstream_rq_idle_timeout`);
    this.noRoute = store.counter(`${p}no_route`);
    this.noCluster = store.counter(`${p}no_cluster`);
    this.rqDirectResponse = store.counter(`${p}downstream_rq_direct_response`);
  }
}

export class ListenerStats {
  readonly cxTotal: Counter;
  readonly cxActive: Gauge;
  readonly cxDestroy: Counter;

  constructor(store: StatsStore, address: string, port: number) {
    // Envoy names listener stats by address: `listener.127.0.0.1_10000.` (tag envoy_listener_address).
    const p = `listener.${address}_${port}.`;
    this.cxTotal = store.counter(`${p}downstream_cx_total`);
    this.cxActive = store.gauge(`${p}downstream_cx_active`);
    this.cxDestroy = store.counter(`${p}downstream_cx_destroy`);
  }
}

export class ClusterRequestStats {
  readonly rqTotal: Counter;
  readonly rqActive: Gauge;
  readonly rqCompleted: Counter;
  readonly rqPendingTotal: Counter;
  readonly rqPendingActive: Gauge;
  readonly rqClass: ClassCounters;
  readonly rqTime: Histogram;
  readonly rqTimeout: Counter;
  readonly rqRxReset: Counter;
  readonly rqTxReset: Counter;
  readonly cxTotal: Counter;
  readonly cxActive: Gauge;
  readonly cxHttp1Total: Counter;
  readonly cxConnectFail: Counter;
  readonly cxConnectTimeout: Counter;
  readonly cxNoneHealthy: Counter;
  readonly cxDestroy: Counter;
  readonly cxDestroyLocal: Counter;
  readonly cxDestroyRemote: Counter;
  readonly cxRxBytes: Counter;
  readonly cxTxBytes: Counter;
  readonly cxProtocolError: Counter;
  // Circuit breaking, retries and shadowing (Envoy's cluster_stats names).
  readonly cxOverflow: Counter;
  readonly cxMaxRequests: Counter;
  readonly rqPendingOverflow: Counter;
  readonly rqPendingFailureEject: Counter;
  readonly rqPerTryTimeout: Counter;
  readonly rqRetry: Counter;
  readonly rqRetrySuccess: Counter;
  readonly rqRetryOverflow: Counter;
  readonly rqRetryLimitExceeded: Counter;
  readonly rqRetryBackoffExponential: Counter;
  readonly retryOrShadowAbandoned: Counter;
  private readonly codes = new Map<number, Counter>();
  private readonly store: StatsStore;
  private readonly prefix: string;

  constructor(store: StatsStore, cluster: string) {
    this.store = store;
    const p = `cluster.${cluster}.`;
    this.prefix = p;
    this.rqTotal = store.counter(`${p}upstream_rq_total`);
    this.rqActive = store.gauge(`${p}upstream_rq_active`);
    this.rqCompleted = store.counter(`${p}upstream_rq_completed`);
    this.rqPendingTotal = store.counter(`${p}upstream_rq_pending_total`);
    this.rqPendingActive = store.gauge(`${p}upstream_rq_pending_active`);
    this.rqClass = new ClassCounters(store, `${p}upstream_rq`);
    this.rqTime = store.histogram(`${p}upstream_rq_time`);
    this.rqTimeout = store.counter(`${p}upstream_rq_timeout`);
    this.rqRxReset = store.counter(`${p}upstream_rq_rx_reset`);
    this.rqTxReset = store.counter(`${p}upstream_rq_tx_reset`);
    this.cxTotal = store.counter(`${p}upstream_cx_total`);
    this.cxActive = store.gauge(`${p}upstream_cx_active`);
    this.cxHttp1Total = store.counter(`${p}upstream_cx_http1_total`);
    this.cxConnectFail = store.counter(`${p}upstream_cx_connect_fail`);
    this.cxConnectTimeout = store.counter(`${p}upstream_cx_connect_timeout`);
    this.cxNoneHealthy = store.counter(`${p}upstream_cx_none_healthy`);
    this.cxDestroy = store.counter(`${p}upstream_cx_destroy`);
    this.cxDestroyLocal = store.counter(`${p}upstream_cx_destroy_local`);
    this.cxDestroyRemote = store.counter(`${p}upstream_cx_destroy_remote`);
    this.cxRxBytes = store.counter(`${p}upstream_cx_rx_bytes_total`);
    this.cxTxBytes = store.counter(`${p}upstream_cx_tx_bytes_total`);
    this.cxProtocolError = store.counter(`${p}upstream_cx_protocol_error`);
    this.cxOverflow = store.counter(`${p}upstream_cx_overflow`);
    this.cxMaxRequests = store.counter(`${p}upstream_cx_max_requests`);
    this.rqPendingOverflow = store.counter(`${p}upstream_rq_pending_overflow`);
    this.rqPendingFailureEject = store.counter(`${p}upstream_rq_pending_failure_eject`);
    this.rqPerTryTimeout = store.counter(`${p}upstream_rq_per_try_timeout`);
    this.rqRetry = store.counter(`${p}upstream_rq_retry`);
    this.rqRetrySuccess = store.counter(`${p}upstream_rq_retry_success`);
    this.rqRetryOverflow = store.counter(`${p}upstream_rq_retry_overflow`);
    this.rqRetryLimitExceeded = store.counter(`${p}upstream_rq_retry_limit_exceeded`);
    this.rqRetryBackoffExponential = store.counter(`${p}upstream_rq_retry_backoff_exponential`);
    this.retryOrShadowAbandoned = store.counter(`${p}retry_or_shadow_abandoned`);
  }

  private sslStats: UpstreamSslStats | undefined;

  /** `cluster.<name>.ssl.*`, made on first use (only clusters with an UpstreamTlsContext have them). */
  get ssl(): UpstreamSslStats {
    this.sslStats ??= {
      handshake: this.store.counter(`${this.prefix}ssl.handshake`),
      connectionError: this.store.counter(`${this.prefix}ssl.connection_error`),
      failVerifyError: this.store.counter(`${this.prefix}ssl.fail_verify_error`),
    };
    return this.sslStats;
  }

  /** `upstream_rq_<code>` exists only once a response with that code was seen, as in Envoy. */
  code(status: number): Counter {
    let c = this.codes.get(status);
    if (!c) {
      c = this.store.counter(`${this.prefix}upstream_rq_${status}`);
      this.codes.set(status, c);
    }
    return c;
  }

  /** Charges a completed upstream request (real or locally generated 5xx) to the per-code stats. */
  chargeResponse(status: number): void {
    this.code(status).inc();
    this.rqClass.charge(status);
    this.rqCompleted.inc();
  }
}
