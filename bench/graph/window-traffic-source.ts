// A minimal TrafficSource for the graph benchmark, standing in for the metrics store
// (server/metrics/metrics-store.ts, not written yet when this bench was): per sidecar and cluster, the
// counters of the scrapes inside the rate window in a Float64Array ring, and rates as
// (newest − oldest in window) / elapsed, a counter that went down counting from zero (a restart).
// Quantiles come from the window's bucket increments as `histogram_quantile` interpolates them. Rates
// are computed on first use after a push and kept until the next one.
// Istio series are not kept (the synthetic mesh has none).

import type { ClusterCounters, SidecarScrape } from '../../server/model/sidecar-data.ts';
import type { IstioDestinationKey, TrafficSource } from '../../server/model/traffic-source.ts';
import { emptyTraffic, type Traffic } from '../../shared/api/graph.ts';

/** total, 5 classes, 503, overflow ×2, none healthy, connect fail, then histogram sum, count, buckets. */
const FIXED = 13;

interface ClusterRing {
  le: number[];
  /** `slots × width` values; a slot of a scrape without this cluster is NaN. */
  values: Float64Array;
  width: number;
}

interface SidecarRing {
  times: Float64Array;
  seq: number;
  latest: SidecarScrape;
  clusters: Map<string, ClusterRing>;
  inbound: Float64Array;
  /** Rates computed since the last push: every graph built in a cycle reads the same figures. */
  rates: Map<string, Traffic | undefined>;
}

export class WindowTrafficSource implements TrafficSource {
  readonly windowSeconds: number;
  updatedAt = 0;
  private readonly slots: number;
  private readonly sidecars = new Map<string, SidecarRing>();

  constructor(windowSeconds: number, intervalSeconds: number) {
    this.windowSeconds = windowSeconds;
    this.slots = Math.ceil(windowSeconds / intervalSeconds) + 1;
  }

  push(scrape: SidecarScrape): void {
    let ring = this.sidecars.get(scrape.targetId);
    if (ring === undefined) {
      ring = {
        times: new Float64Array(this.slots).fill(Number.NaN),
        seq: -1,
        latest: scrape,
        clusters: new Map(),
        inbound: new Float64Array(this.slots * 6).fill(Number.NaN),
        rates: new Map(),
      };
      this.sidecars.set(scrape.targetId, ring);
    }
    ring.seq++;
    const slot = ring.seq % this.slots;
    ring.times[slot] = scrape.at;
    ring.latest = scrape;
    ring.rates.clear();
    for (const c of ring.clusters.values()) c.values.fill(Number.NaN, slot * c.width, (slot + 1) * c.width);
    for (const [name, counters] of scrape.clusters) this.writeCluster(ring, name, counters, slot);
    const d = scrape.downstream;
    if (d !== undefined) ring.inbound.set([d.rq_total, ...d.rq_xx], slot * 6);
    else ring.inbound.fill(Number.NaN, slot * 6, slot * 6 + 6);
    if (scrape.at > this.updatedAt) this.updatedAt = scrape.at;
  }

  latest(targetId: string): SidecarScrape | undefined {
    return this.sidecars.get(targetId)?.latest;
  }

  clusterTraffic(targetId: string, cluster: string): Traffic | undefined {
    const ring = this.sidecars.get(targetId);
    if (ring === undefined) return undefined;
    if (ring.rates.has(cluster)) return ring.rates.get(cluster);
    const t = this.computeClusterTraffic(ring, cluster);
    ring.rates.set(cluster, t);
    return t;
  }

  private computeClusterTraffic(ring: SidecarRing, cluster: string): Traffic | undefined {
    const c = ring.clusters.get(cluster);
    if (c === undefined) return undefined;
    const span = this.span(ring, c.values, c.width);
    if (span === undefined) return undefined;
    const { newest, oldest, seconds } = span;
    const v = c.values;
    const rate = (i: number) => increase(v[newest + i]!, v[oldest + i]!) / seconds;
    const t = emptyTraffic();
    t.rps = rate(0);
    t.status = { '2xx': rate(2), '3xx': rate(3), '4xx': rate(4), '5xx': rate(5) };
    t.rate503 = rate(6);
    const overflow = rate(7) + rate(8);
    const noHealthyUpstream = rate(9);
    const connectFailure = rate(10);
    t.causes503 = {
      overflow,
      noHealthyUpstream,
      connectFailure,
      upstream: Math.max(0, t.rate503 - overflow - noHealthyUpstream - connectFailure),
    };
    if (c.le.length > 0) {
      const buckets = c.le.map((_, i) => increase(v[newest + FIXED + i]!, v[oldest + FIXED + i]!));
      const total = buckets[buckets.length - 1]!;
      if (total > 0) {
        t.latencyMs = {
          p50: quantile(0.5, c.le, buckets),
          p95: quantile(0.95, c.le, buckets),
          p99: quantile(0.99, c.le, buckets),
        };
      }
    }
    return t;
  }

  istioTraffic(): { key: IstioDestinationKey; traffic: Traffic }[] {
    return [];
  }

  inboundTraffic(targetId: string): Traffic | undefined {
    const ring = this.sidecars.get(targetId);
    if (ring === undefined) return undefined;
    const span = this.span(ring, ring.inbound, 6);
    if (span === undefined) return undefined;
    const v = ring.inbound;
    const rate = (i: number) => increase(v[span.newest + i]!, v[span.oldest + i]!) / span.seconds;
    const t = emptyTraffic();
    t.rps = rate(0);
    t.status = { '2xx': rate(2), '3xx': rate(3), '4xx': rate(4), '5xx': rate(5) };
    return t;
  }

  private writeCluster(ring: SidecarRing, name: string, c: ClusterCounters, slot: number): void {
    let r = ring.clusters.get(name);
    const le = c.rqTime?.le ?? [];
    if (r === undefined || r.le.length !== le.length) {
      const width = FIXED + le.length;
      r = { le, values: new Float64Array(this.slots * width).fill(Number.NaN), width };
      ring.clusters.set(name, r);
    }
    const base = slot * r.width;
    const v = r.values;
    v[base] = c.upstream_rq_total;
    for (let i = 0; i < 5; i++) v[base + 1 + i] = c.upstream_rq_xx[i]!;
    v[base + 6] = c.upstream_rq_503;
    v[base + 7] = c.upstream_rq_pending_overflow;
    v[base + 8] = c.upstream_cx_overflow;
    v[base + 9] = c.upstream_cx_none_healthy;
    v[base + 10] = c.upstream_cx_connect_fail;
    v[base + 11] = c.rqTime?.sum ?? 0;
    v[base + 12] = c.rqTime?.count ?? 0;
    if (c.rqTime !== undefined) for (let i = 0; i < le.length; i++) v[base + FIXED + i] = c.rqTime.counts[i]!;
  }

  /** Offsets of the newest slot and the oldest one still inside the window, and the seconds between. */
  private span(
    ring: SidecarRing,
    values: Float64Array,
    width: number,
  ): { newest: number; oldest: number; seconds: number } | undefined {
    const newestSlot = ring.seq % this.slots;
    const now = ring.times[newestSlot]!;
    if (Number.isNaN(values[newestSlot * width]!)) return undefined;
    let oldestSlot = newestSlot;
    for (let back = 1; back < this.slots && back <= ring.seq; back++) {
      const s = (ring.seq - back) % this.slots;
      if (now - ring.times[s]! > this.windowSeconds * 1000 || Number.isNaN(values[s * width]!)) break;
      oldestSlot = s;
    }
    const seconds = (now - ring.times[oldestSlot]!) / 1000;
    if (!(seconds > 0)) return undefined;
    return { newest: newestSlot * width, oldest: oldestSlot * width, seconds };
  }
}

function increase(newest: number, oldest: number): number {
  return newest >= oldest ? newest - oldest : newest;
}

/** Prometheus' histogram_quantile: linear within the bucket holding the rank; the +Inf bucket gives its lower bound. */
function quantile(q: number, le: number[], cumulative: number[]): number {
  const total = cumulative[cumulative.length - 1]!;
  const rank = q * total;
  let i = 0;
  while (i < cumulative.length - 1 && cumulative[i]! < rank) i++;
  const upper = le[i]!;
  const lower = i === 0 ? 0 : le[i - 1]!;
  if (upper === Number.POSITIVE_INFINITY) return lower;
  const below = i === 0 ? 0 : cumulative[i - 1]!;
  const inBucket = cumulative[i]! - below;
  return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
}
