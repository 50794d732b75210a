// The instant queries one refresh runs: the same Envoy and Istio series the scraper reads from each
// sidecar, as per-second rates over the window, grouped by the labels that identify the sidecar
// (series-target-mapping.ts) and the cluster, destination or listener.
import { ISTIO_DESTINATION_LABELS } from '../../model/sidecar-data.ts';
import { INBOUND_HCM_PREFIXES } from '../envoy/downstream-stats.ts';
import {
  histogramQuantile,
  type Matcher,
  promDuration,
  selector,
  sumRate,
  union,
} from './promql-builders.ts';
import { type SeriesTargetMatching, targetLabelNames } from './series-target-mapping.ts';

// Envoy's default tag extractors name these tags `envoy_cluster_name` etc.; Istio's bootstrap replaces
// them (`stats_config.stats_tags`, use_all_default_tags: false) with `cluster_name` etc. Grouping by both
// names keeps whichever a series has (the other is empty), so one query serves both kinds of sidecar.
export const CLUSTER_LABELS = ['envoy_cluster_name', 'cluster_name'] as const;
export const CODE_CLASS_LABELS = ['envoy_response_code_class', 'response_code_class'] as const;
export const CODE_LABELS = ['envoy_response_code', 'response_code'] as const;
export const HCM_PREFIX_LABELS = ['envoy_http_conn_manager_prefix', 'http_conn_manager_prefix'] as const;

/** Labels of `istio_requests_total` that make up an IstioDestinationKey, in the key's field order. */
export const ISTIO_KEY_LABELS = ['reporter', ...ISTIO_DESTINATION_LABELS] as const;

export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
export type QuantileName = keyof typeof QUANTILES;

/**
 * HCM stat prefixes that are not the sidecar's inbound listener: Envoy's admin interface (`admin`),
 * Consul's metrics listener (`envoy_prometheus_metrics`), Istio's :15090 stats listener (`stats`) and
 * its outbound listeners (`outbound_0.0.0.0_9080`). Otherwise Prometheus's own scrapes would show up
 * as inbound traffic.
 */
export const DEFAULT_INBOUND_EXCLUDE = 'admin|envoy_prometheus_metrics|stats|outbound_.*';

export interface TrafficQueryOptions {
  windowSeconds: number;
  matching: SeriesTargetMatching;
  /** Raw matchers added to every selector, e.g. `job="envoy-stats"` when two jobs scrape one pod. */
  extraMatchers?: string;
  /** Regex (fully anchored, as PromQL's =~) of HCM prefixes to leave out of inbound traffic. */
  inboundExclude?: string;
}

export type TrafficQueryName =
  | 'clusterRq'
  | 'clusterRqXx'
  | 'clusterRq503'
  | 'clusterPendingOverflow'
  | 'clusterCxOverflow'
  | 'clusterCxNoneHealthy'
  | 'clusterCxConnectFail'
  | `clusterLatency_${QuantileName}`
  | 'istioRq'
  | `istioLatency_${QuantileName}`
  | 'inboundRq'
  | 'inboundRqXx'
  | `inboundLatency_${QuantileName}`;

export type TrafficQueries = Record<TrafficQueryName, string>;

function quantiles<P extends string>(
  prefix: P,
  bucketSel: string,
  window: string,
  by: readonly string[],
): Record<`${P}_${QuantileName}`, string> {
  const out = {} as Record<`${P}_${QuantileName}`, string>;
  for (const [name, q] of Object.entries(QUANTILES) as [QuantileName, number][]) {
    out[`${prefix}_${name}`] = histogramQuantile(q, bucketSel, window, by);
  }
  return out;
}

/** Every query of one refresh, by name. Pure: the same options give the same strings. */
export function trafficQueries(opts: TrafficQueryOptions): TrafficQueries {
  const w = promDuration(opts.windowSeconds);
  const extra = opts.extraMatchers ?? '';
  const target = targetLabelNames(opts.matching);
  const byCluster = [...target, ...CLUSTER_LABELS];
  const counter = (metric: string, matchers: readonly Matcher[] = []) => selector(metric, matchers, extra);
  const clusterRate = (metric: string) => sumRate(counter(metric), w, byCluster);
  const byIstio = [...target, ...ISTIO_KEY_LABELS];
  const exclude = opts.inboundExclude ?? DEFAULT_INBOUND_EXCLUDE;
  // Only the HCMs the scrape path counts as inbound (a plain sidecar's `ingress_http` proxies its
  // app's outbound calls), less the excluded ones. A missing label reads as "": `!~` lets it through,
  // and the inbound regex accepts it, so a series passes on whichever tag name it carries.
  const inbound = (metric: string) =>
    counter(metric, [
      ...HCM_PREFIX_LABELS.map((l) => [l, '=~', `(${INBOUND_HCM_PREFIXES})?`] as const),
      ...HCM_PREFIX_LABELS.map((l) => [l, '!~', exclude] as const),
    ]);

  return {
    clusterRq: clusterRate('envoy_cluster_upstream_rq_total'),
    clusterRqXx: sumRate(counter('envoy_cluster_upstream_rq_xx'), w, [...byCluster, ...CODE_CLASS_LABELS]),
    // Envoy counts local replies (no healthy host, connect failure, overflow) in upstream_rq_503 too.
    clusterRq503: union(
      CODE_LABELS.map((l) => sumRate(counter('envoy_cluster_upstream_rq', [[l, '=', '503']]), w, byCluster)),
    ),
    clusterPendingOverflow: clusterRate('envoy_cluster_upstream_rq_pending_overflow'),
    clusterCxOverflow: clusterRate('envoy_cluster_upstream_cx_overflow'),
    clusterCxNoneHealthy: clusterRate('envoy_cluster_upstream_cx_none_healthy'),
    clusterCxConnectFail: clusterRate('envoy_cluster_upstream_cx_connect_fail'),
    ...quantiles('clusterLatency', counter('envoy_cluster_upstream_rq_time_bucket'), w, byCluster),
    istioRq: sumRate(counter('istio_requests_total'), w, [...byIstio, 'response_code', 'response_flags']),
    ...quantiles('istioLatency', counter('istio_request_duration_milliseconds_bucket'), w, byIstio),
    inboundRq: sumRate(inbound('envoy_http_downstream_rq_total'), w, target),
    inboundRqXx: sumRate(inbound('envoy_http_downstream_rq_xx'), w, [...target, ...CODE_CLASS_LABELS]),
    ...quantiles('inboundLatency', inbound('envoy_http_downstream_rq_time_bucket'), w, target),
  };
}
