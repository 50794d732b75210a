// Traffic (shared/api/graph.ts) from per-second rates as the PromQL queries return them. Pure.
import type { Causes503, Latency, StatusRates, Traffic } from '../../../shared/api/graph.ts';
import type { QuantileName } from './traffic-queries.ts';

export type Quantiles = Partial<Record<QuantileName, number>>;

/** Rates of one upstream cluster of one sidecar (Envoy's names, without `cluster.<name>.`). */
export interface ClusterRates {
  upstream_rq_total: number;
  /** `upstream_rq_1xx` … `upstream_rq_5xx`. */
  upstream_rq_xx: [number, number, number, number, number];
  upstream_rq_503: number;
  upstream_rq_pending_overflow: number;
  upstream_cx_overflow: number;
  upstream_cx_none_healthy: number;
  upstream_cx_connect_fail: number;
  latency: Quantiles;
}

export function emptyClusterRates(): ClusterRates {
  return {
    upstream_rq_total: 0,
    upstream_rq_xx: [0, 0, 0, 0, 0],
    upstream_rq_503: 0,
    upstream_rq_pending_overflow: 0,
    upstream_cx_overflow: 0,
    upstream_cx_none_healthy: 0,
    upstream_cx_connect_fail: 0,
    latency: {},
  };
}

/** Inbound listener rates (HCM `downstream_rq_total`, `downstream_rq_<N>xx`, `downstream_rq_time`). */
export interface InboundRates {
  downstream_rq_total: number;
  downstream_rq_xx: [number, number, number, number, number];
  latency: Quantiles;
}

export function emptyInboundRates(): InboundRates {
  return { downstream_rq_total: 0, downstream_rq_xx: [0, 0, 0, 0, 0], latency: {} };
}

/**
 * The three quantiles, or null when any is missing or not finite: histogram_quantile yields NaN for a
 * histogram without samples in the window, which is "no latency", not a number to draw.
 */
export function latencyOf(q: Quantiles): Latency | null {
  const { p50, p95, p99 } = q;
  if (p50 === undefined || p95 === undefined || p99 === undefined) return null;
  if (![p50, p95, p99].every(Number.isFinite)) return null;
  return { p50, p95, p99 };
}

const nonNegative = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);

function statusOf(xx: readonly number[]): StatusRates {
  return {
    '2xx': nonNegative(xx[1] ?? 0),
    '3xx': nonNegative(xx[2] ?? 0),
    '4xx': nonNegative(xx[3] ?? 0),
    '5xx': nonNegative(xx[4] ?? 0),
  };
}

/**
 * Splits the 503 rate by cause. The cause counters are not 503 counters (upstream_cx_connect_fail
 * counts connection attempts, retries included; upstream_cx_overflow trips before a request may still
 * be queued), so each cause takes at most what the previous ones left of the 503 rate, in the order
 * Envoy decides them: circuit breaker (UO), no healthy host (UH), connect failure (UF); the rest was
 * answered by the upstream itself.
 */
export function split503(
  rate503: number,
  c: { overflow: number; noHealthyUpstream: number; connectFailure: number },
): Causes503 {
  let left = nonNegative(rate503);
  const take = (x: number) => {
    const t = Math.min(left, nonNegative(x));
    left -= t;
    return t;
  };
  const overflow = take(c.overflow);
  const noHealthyUpstream = take(c.noHealthyUpstream);
  const connectFailure = take(c.connectFailure);
  return { overflow, noHealthyUpstream, connectFailure, upstream: left };
}

/**
 * A cluster's request rate: `upstream_rq_total`, or the sum of the response classes when that is
 * larger. Envoy counts `upstream_rq_total` when a request is attached to an upstream connection, but the
 * router also charges `upstream_rq_<code>` for the local replies it sends when none could be (connect
 * failure, a reset before the response): a cluster whose hosts all refuse connections answers 503s with
 * `upstream_rq_total` still at 0, and the classes of a mixed window add up to more than the total.
 */
export function clusterRps(total: number, xx: readonly number[]): number {
  let classes = 0;
  for (const v of xx) classes += nonNegative(v);
  return Math.max(nonNegative(total), classes);
}

export function clusterTrafficOf(r: ClusterRates): Traffic {
  const rate503 = nonNegative(r.upstream_rq_503);
  return {
    rps: clusterRps(r.upstream_rq_total, r.upstream_rq_xx),
    status: statusOf(r.upstream_rq_xx),
    rate503,
    causes503: split503(rate503, {
      overflow: r.upstream_rq_pending_overflow + r.upstream_cx_overflow,
      noHealthyUpstream: r.upstream_cx_none_healthy,
      connectFailure: r.upstream_cx_connect_fail,
    }),
    latencyMs: latencyOf(r.latency),
  };
}

export function inboundTrafficOf(r: InboundRates): Traffic {
  return {
    rps: nonNegative(r.downstream_rq_total),
    status: statusOf(r.downstream_rq_xx),
    // The HCM counts responses by class only (downstream_rq_5xx), so 503s cannot be told apart here.
    rate503: 0,
    causes503: { overflow: 0, noHealthyUpstream: 0, connectFailure: 0, upstream: 0 },
    latencyMs: latencyOf(r.latency),
  };
}

/**
 * The 503 cause an Istio `response_flags` value names (Envoy's access-log flags, comma-separated when
 * several apply, "-" for none): UO overflow, UH no healthy upstream, UF connect failure; any other flag
 * or none means the upstream answered 503 itself.
 */
export function causeOfResponseFlags(flags: string): keyof Causes503 {
  const set = new Set(flags.split(','));
  if (set.has('UO')) return 'overflow';
  if (set.has('UH')) return 'noHealthyUpstream';
  if (set.has('UF')) return 'connectFailure';
  return 'upstream';
}

/** Istio rates of one destination, by `response_code` and `response_flags`. */
export interface IstioRates {
  byCodeAndFlags: { code: string; flags: string; rate: number }[];
  latency: Quantiles;
}

export function istioTrafficOf(r: IstioRates): Traffic {
  const status: StatusRates = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const causes503: Causes503 = { overflow: 0, noHealthyUpstream: 0, connectFailure: 0, upstream: 0 };
  let rps = 0;
  let rate503 = 0;
  for (const { code, flags, rate } of r.byCodeAndFlags) {
    const v = nonNegative(rate);
    rps += v;
    // response_code "0" (no response: reset, timeout before headers) counts in rps but in no class.
    const cls = `${code.charAt(0)}xx`;
    if (code.length === 3 && cls in status) status[cls as keyof StatusRates] += v;
    if (code === '503') {
      rate503 += v;
      causes503[causeOfResponseFlags(flags)] += v;
    }
  }
  return { rps, status, rate503, causes503, latencyMs: latencyOf(r.latency) };
}
