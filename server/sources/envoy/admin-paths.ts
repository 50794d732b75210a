// The admin requests one scrape makes, and the stats filter that keeps `/stats/prometheus` small.
import type { SidecarTarget } from '../../model/inventory.ts';

/**
 * `filter=` for `/stats/prometheus`: a regex searched in each stat's dotted Envoy name (before tag
 * extraction, e.g. `cluster.backend_v1.upstream_rq_503`). It keeps only what the graph reads:
 * - per upstream cluster: `upstream_rq_total`, per-class `upstream_rq_5xx` and per-code
 *   `upstream_rq_503` (both become `envoy_cluster_upstream_rq_xx` / `envoy_cluster_upstream_rq` once
 *   tagged), the `upstream_rq_time` histogram, and the 503 causes `upstream_rq_pending_overflow`,
 *   `upstream_cx_overflow`, `upstream_cx_none_healthy`, `upstream_cx_connect_fail`;
 * - per HTTP connection manager: `downstream_rq_total` and `downstream_rq_<N>xx` (inbound traffic).
 *   The `listener.<address>.http.<prefix>.` copies of the same counters are left out;
 * - Istio's `istio_requests_total` and `istio_request_duration_milliseconds` (unanchored: Istio's
 *   stat names carry their tags before the metric name). istio-proxy's :15090 and the merged :15020
 *   endpoint ignore `filter` anyway and send everything.
 * - traffic policies acting (policy-stats.ts, cluster-gauges.ts): per cluster `upstream_rq_retry`,
 *   `upstream_rq_retry_overflow`, `upstream_rq_timeout`, the `circuit_breakers.<priority>.<resource>_open` gauges,
 *   `outlier_detection.ejections_active`, `membership_healthy`/`membership_total`; per HTTP connection
 *   manager the fault filter's `fault.[<downstream cluster>.]aborts_injected` / `delays_injected`.
 * With `usedonly`, a sidecar with N active clusters sends about 40 lines per cluster instead of ~150.
 */
export const STATS_FILTER =
  '^cluster\\..+\\.upstream_(rq_(total|time|pending_overflow|[1-5]xx|[1-5][0-9][0-9])|cx_(overflow|none_healthy|connect_fail)|rq_(retry|retry_overflow|timeout))$' +
  '|^cluster\\..+\\.(circuit_breakers\\.(default|high)\\.(cx|cx_pool|rq_pending|rq|rq_retry)_open|outlier_detection\\.ejections_active|membership_(healthy|total))$' +
  '|^http\\..+\\.fault\\.(.+\\.)?(aborts|delays)_injected$' +
  '|^http\\..+\\.downstream_rq_(total|[1-5]xx)$' +
  '|istio_request';

/** `/stats/prometheus?usedonly&filter=…` (or the target's own stats path, with the same query). */
export function statsRequestPath(target: SidecarTarget): string {
  const path = target.statsPath === '' ? '/stats/prometheus' : target.statsPath;
  const sep = path.includes('?') ? '&' : '?';
  return `${path}${sep}usedonly&filter=${encodeURIComponent(STATS_FILTER)}`;
}

export const CLUSTERS_PATH = '/clusters?format=json';
/**
 * The full dump: listeners are needed to name the listener of an RDS route, and static listeners'
 * inline routes. EDS is not included unless asked for (`include_eds`), which keeps it small.
 */
export const CONFIG_DUMP_PATH = '/config_dump';
export const RUNTIME_PATH = '/runtime';
