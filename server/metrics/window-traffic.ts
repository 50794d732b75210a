// A window's counter increases → the Traffic figures of the API (per second), with the 503 causes and
// latency quantiles.
import { emptyTraffic, type Traffic } from '../../shared/api/graph.ts';
import { clusterRps, split503 } from '../sources/prometheus/traffic-from-rates.ts';
import { IX, TRAFFIC_SCALARS, type WindowDelta } from './counter-series.ts';
import { histogramQuantile } from './histogram-quantile.ts';

export function trafficOfWindow(w: WindowDelta | undefined): Traffic {
  if (w === undefined || !(w.seconds > 0)) return emptyTraffic();
  const d = w.delta;
  const rate = (i: number) => Math.max(0, d[i]!) / w.seconds;
  const rate503 = rate(IX.rq503);
  // UO: a pending request or a connection over the circuit breaker's limit; UH: no healthy host;
  // UF: the connection to the host failed. What they do not explain, the upstream itself answered.
  // These are not 503 counters (upstream_cx_overflow counts connections not made while requests
  // still wait in the pending queue and succeed), so each takes at most what the 503s leave, as the
  // Prometheus source does (split503).
  const causes503 = split503(rate503, {
    overflow: rate(IX.pendingOverflow) + rate(IX.cxOverflow),
    noHealthyUpstream: rate(IX.noneHealthy),
    connectFailure: rate(IX.connectFail),
  });
  const xx = [0, 1, 2, 3, 4].map((k) => rate(IX.xx + k));
  return {
    // Inbound series have no local replies of this kind, so the larger of the two is right for both.
    rps: clusterRps(rate(IX.total), xx),
    status: {
      '2xx': rate(IX.xx + 1),
      '3xx': rate(IX.xx + 2),
      '4xx': rate(IX.xx + 3),
      '5xx': rate(IX.xx + 4),
    },
    rate503,
    causes503,
    latencyMs: latencyOf(w),
  };
}

/** p50/p95/p99 of the window's bucket increases; null when the window saw no observation. */
function latencyOf(w: WindowDelta): Traffic['latencyMs'] {
  if (w.le.length === 0) return null;
  const counts = w.delta.subarray(TRAFFIC_SCALARS);
  const p50 = histogramQuantile(0.5, w.le, counts);
  if (Number.isNaN(p50)) return null;
  return { p50, p95: histogramQuantile(0.95, w.le, counts), p99: histogramQuantile(0.99, w.le, counts) };
}
