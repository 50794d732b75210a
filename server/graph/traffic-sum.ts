// Adding up `Traffic` figures: edges merge several clusters (or several callers collapsed into one
// app), a cluster's traffic is split over its destinations, and a node's figures are the sum of its
// edges. Rates add exactly. Quantiles do not: the source gives p50/p95/p99 per cluster, not the
// histogram buckets, so a sum carries the request-weighted mean of each quantile. That is exact when
// the parts share one latency distribution (the parts of one split cluster do) and an approximation
// otherwise; it never leaves the range of the parts' quantiles.
import type { Traffic } from '../../shared/api/graph.ts';

export class TrafficSum {
  rps = 0;
  s2xx = 0;
  s3xx = 0;
  s4xx = 0;
  s5xx = 0;
  rate503 = 0;
  overflow = 0;
  noHealthyUpstream = 0;
  connectFailure = 0;
  upstream = 0;
  private latencyWeight = 0;
  private p50 = 0;
  private p95 = 0;
  private p99 = 0;
  /** Quantiles seen on parts that carried no requests: kept only if no part with requests has any. */
  private idleLatency: Traffic['latencyMs'] = null;

  /** Adds `share` (0..1) of `t`: all rates scale, quantiles keep their values. */
  add(t: Traffic, share = 1): this {
    const rps = t.rps * share;
    this.rps += rps;
    this.s2xx += t.status['2xx'] * share;
    this.s3xx += t.status['3xx'] * share;
    this.s4xx += t.status['4xx'] * share;
    this.s5xx += t.status['5xx'] * share;
    this.rate503 += t.rate503 * share;
    this.overflow += t.causes503.overflow * share;
    this.noHealthyUpstream += t.causes503.noHealthyUpstream * share;
    this.connectFailure += t.causes503.connectFailure * share;
    this.upstream += t.causes503.upstream * share;
    const lat = t.latencyMs;
    if (lat !== null) {
      if (rps > 0) {
        this.latencyWeight += rps;
        this.p50 += lat.p50 * rps;
        this.p95 += lat.p95 * rps;
        this.p99 += lat.p99 * rps;
      } else if (this.idleLatency === null) {
        this.idleLatency = lat;
      }
    }
    return this;
  }

  addSum(other: TrafficSum): this {
    return this.add(other.toTraffic());
  }

  toTraffic(): Traffic {
    const w = this.latencyWeight;
    return {
      rps: this.rps,
      status: { '2xx': this.s2xx, '3xx': this.s3xx, '4xx': this.s4xx, '5xx': this.s5xx },
      rate503: this.rate503,
      causes503: {
        overflow: this.overflow,
        noHealthyUpstream: this.noHealthyUpstream,
        connectFailure: this.connectFailure,
        upstream: this.upstream,
      },
      latencyMs: w > 0 ? { p50: this.p50 / w, p95: this.p95 / w, p99: this.p99 / w } : this.idleLatency,
    };
  }
}
