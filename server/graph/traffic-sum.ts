// Adding up `Traffic` figures: edges merge several clusters (or several callers collapsed into one
// app), a cluster's traffic is split over its destinations, and a node's figures are the sum of its
// edges. Rates add exactly. Quantiles do not: the source gives p50/p95/p99 per cluster, not the
// histogram buckets, so a sum carries the request-weighted mean of each quantile. That is exact when
// the parts share one latency distribution (the parts of one split cluster do) and an approximation
// otherwise; it never leaves the range of the parts' quantiles.
//
// The sums of one graph build (≈ 13,000 at 1,000 sidecars: every edge, and each node's inbound and
// outbound) live side by side in one Float64Array, each a slot of FIELDS numbers. As objects with a
// field per figure they cost ≈ 550 bytes each, because V8 boxes every double-valued field: 6 MB of
// young objects per build that the scavenger copied (bench/graph: the builds' garbage collection).
import type { Traffic } from '../../shared/api/graph.ts';

const RPS = 0;
const S2XX = 1;
const S3XX = 2;
const S4XX = 3;
const S5XX = 4;
const RATE503 = 5;
const OVERFLOW = 6;
const NO_HEALTHY = 7;
const CONNECT_FAIL = 8;
const UPSTREAM = 9;
/** Requests that carried the quantiles below: their weights. */
const LATENCY_WEIGHT = 10;
const P50 = 11;
const P95 = 12;
const P99 = 13;
/** 1 once a part without requests brought quantiles: kept only if no part with requests has any. */
const HAS_IDLE = 14;
const IDLE_P50 = 15;
const IDLE_P95 = 16;
const IDLE_P99 = 17;
const FIELDS = 18;

export class TrafficSums {
  private data: Float64Array;
  private count = 0;

  constructor(capacity = 256) {
    this.data = new Float64Array(Math.max(1, capacity) * FIELDS);
  }

  /** A new sum of nothing; returns its slot. */
  create(): number {
    if ((this.count + 1) * FIELDS > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    return this.count++;
  }

  /** Adds `share` (0..1) of `t` to the sum in `slot`: all rates scale, quantiles keep their values. */
  add(slot: number, t: Traffic, share = 1): void {
    const d = this.data;
    const o = slot * FIELDS;
    const rps = t.rps * share;
    d[o + RPS]! += rps;
    d[o + S2XX]! += t.status['2xx'] * share;
    d[o + S3XX]! += t.status['3xx'] * share;
    d[o + S4XX]! += t.status['4xx'] * share;
    d[o + S5XX]! += t.status['5xx'] * share;
    d[o + RATE503]! += t.rate503 * share;
    d[o + OVERFLOW]! += t.causes503.overflow * share;
    d[o + NO_HEALTHY]! += t.causes503.noHealthyUpstream * share;
    d[o + CONNECT_FAIL]! += t.causes503.connectFailure * share;
    d[o + UPSTREAM]! += t.causes503.upstream * share;
    const lat = t.latencyMs;
    if (lat === null) return;
    if (rps > 0) {
      d[o + LATENCY_WEIGHT]! += rps;
      d[o + P50]! += lat.p50 * rps;
      d[o + P95]! += lat.p95 * rps;
      d[o + P99]! += lat.p99 * rps;
    } else if (d[o + HAS_IDLE] === 0) {
      d[o + HAS_IDLE] = 1;
      d[o + IDLE_P50] = lat.p50;
      d[o + IDLE_P95] = lat.p95;
      d[o + IDLE_P99] = lat.p99;
    }
  }

  rps(slot: number): number {
    return this.data[slot * FIELDS + RPS]!;
  }

  toTraffic(slot: number): Traffic {
    const d = this.data;
    const o = slot * FIELDS;
    const w = d[o + LATENCY_WEIGHT]!;
    return {
      rps: d[o + RPS]!,
      status: { '2xx': d[o + S2XX]!, '3xx': d[o + S3XX]!, '4xx': d[o + S4XX]!, '5xx': d[o + S5XX]! },
      rate503: d[o + RATE503]!,
      causes503: {
        overflow: d[o + OVERFLOW]!,
        noHealthyUpstream: d[o + NO_HEALTHY]!,
        connectFailure: d[o + CONNECT_FAIL]!,
        upstream: d[o + UPSTREAM]!,
      },
      latencyMs:
        w > 0
          ? { p50: d[o + P50]! / w, p95: d[o + P95]! / w, p99: d[o + P99]! / w }
          : d[o + HAS_IDLE] === 1
            ? { p50: d[o + IDLE_P50]!, p95: d[o + IDLE_P95]!, p99: d[o + IDLE_P99]! }
            : null,
    };
  }
}
