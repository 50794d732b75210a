// Hand-built scrapes and a test clock for the MetricsStore tests (metrics-store*.test.ts).
import type { ClusterCounters, SidecarScrape } from '../../../server/model/sidecar-data.ts';

export const INF = Number.POSITIVE_INFINITY;
export const T0 = 1_700_000_000_000;

export function counters(p: Partial<ClusterCounters> = {}): ClusterCounters {
  return {
    upstream_rq_total: 0,
    upstream_rq_xx: [0, 0, 0, 0, 0],
    upstream_rq_503: 0,
    upstream_rq_pending_overflow: 0,
    upstream_cx_overflow: 0,
    upstream_cx_none_healthy: 0,
    upstream_cx_connect_fail: 0,
    rqTime: undefined,
    ...p,
  };
}

export function scrape(
  at: number,
  p: Partial<SidecarScrape> = {},
  targetId = 'default/frontend/0',
): SidecarScrape {
  return {
    targetId,
    at,
    clusters: new Map(),
    istio: [],
    hosts: new Map(),
    routes: [],
    runtime: new Map(),
    downstream: undefined,
    ...p,
  };
}

/** A cluster that served `n` requests so far: 90 % 2xx, 10 % 503 (of which overflow, UH, UF at fixed shares). */
export function steady(n: number): ClusterCounters {
  return counters({
    upstream_rq_total: n,
    upstream_rq_xx: [0, 0.9 * n, 0, 0, 0.1 * n],
    upstream_rq_503: 0.1 * n,
    upstream_rq_pending_overflow: 0.02 * n,
    upstream_cx_overflow: 0.01 * n,
    upstream_cx_none_healthy: 0.01 * n,
    upstream_cx_connect_fail: 0.03 * n,
  });
}

export function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}
