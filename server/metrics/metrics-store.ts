// The traffic source behind the dashboard when it scrapes sidecars itself: every scrape is ingested
// here, and the graph reads per-second rates over a window (default 60 s), 503 causes and p50/p95/p99
// back through the TrafficSource interface.
//
// Rates: per series, from the oldest and newest samples within the window of reset-corrected totals
// (counter-increments.ts, counter-series.ts), so a restarted sidecar shows neither a negative rate nor
// a spike. Quantiles: `histogram_quantile` over the window's bucket increases (histogram-quantile.ts).
//
// Memory bound. A series holds `(F + C) × (8 + (11 + B) × 4) + 2 × (11 + B) × 8` bytes of arrays
// (float32 increments, float64 times and running totals; counter-series.ts) plus ~0.7 kB of objects,
// where F = fine samples (2 × window / interval + 2 = 26 by default), C = coarse samples (history /
// coarse step + 1 = 61) and B = histogram buckets (Envoy's default: 20): ≈ 12 kB per series with the
// defaults. A target holds at most `maxSeriesPerTarget` series (default 500; series past the cap are
// not tracked and are counted in `stats().droppedSeries`), so at most ≈ 6 MB; a sidecar with 10
// active upstream clusters takes ≈ 0.13 MB, and the 1,000-sidecar × 10-cluster bench ≈ 125 MB.
// Series not updated for the history length are dropped, and targets not scraped for
// `expireAfterIntervals` intervals (default 12: one minute at 5 s) are forgotten entirely.
import { emptyTraffic, type Traffic } from '../../shared/api/graph.ts';
import type { PolicyFigures } from '../model/policy-config.ts';
import type { IstioDestinationCounters, SidecarScrape } from '../model/sidecar-data.ts';
import type { IstioDestinationKey, TrafficSource } from '../model/traffic-source.ts';
import { keyedIncrements, vectorIncrements } from './counter-increments.ts';
import { CounterSeries, type SeriesShape } from './counter-series.ts';
import { PolicyRates } from './policy-rates.ts';
import { clusterVector, inboundVector, istioKeyed, istioVector, sameBounds } from './traffic-vectors.ts';
import { trafficOfWindow } from './window-traffic.ts';

export interface MetricsStoreOptions {
  /** Default rate window (seconds). */
  windowSeconds?: number;
  /** How far back windows can reach (seconds, default 3600). */
  historySeconds?: number;
  /** The scrape interval (ms, default 5000): sizes the fine ring and the expiry. */
  intervalMs?: number;
  /**
   * Span of the every-sample ring (seconds). Default: the default window plus two intervals, enough for
   * that window at full resolution with a late scrape; longer windows are served from the coarse ring
   * (the running total minus the total at its newest sample, plus its increments), never from this one.
   */
  fineSeconds?: number;
  /** Spacing of the samples kept for the rest of the history (seconds, default 60). */
  coarseStepSeconds?: number;
  /** Forget a target after this many intervals without a scrape (default 12). */
  expireAfterIntervals?: number;
  maxSeriesPerTarget?: number;
  /** Clock (epoch ms) that windows end at. */
  now?: () => number;
}

interface Entry {
  series: CounterSeries;
  /** The previous raw reading: a vector (clusters, inbound) or keyed counters (Istio). */
  prev: Float64Array | Map<string, number> | undefined;
}

interface IstioEntry extends Entry {
  key: IstioDestinationKey;
}

interface TargetData {
  latest: SidecarScrape;
  clusters: Map<string, Entry>;
  istio: Map<string, IstioEntry>;
  inbound: Entry | undefined;
}

export interface MetricsStoreStats {
  targets: number;
  series: number;
  /** Bytes of sample arrays held. */
  bytes: number;
  /** Series not tracked because their target was at `maxSeriesPerTarget`. */
  droppedSeries: number;
}

export class MetricsStore implements TrafficSource {
  readonly windowSeconds: number;
  updatedAt = 0;
  private readonly historyMs: number;
  private readonly intervalMs: number;
  private readonly expireAfterMs: number;
  private readonly maxSeriesPerTarget: number;
  private readonly shape: SeriesShape;
  private readonly now: () => number;
  private readonly targets = new Map<string, TargetData>();
  private readonly policyRates: PolicyRates;
  private droppedSeries = 0;
  private lastExpiry = Number.NEGATIVE_INFINITY;

  constructor(opts: MetricsStoreOptions = {}) {
    this.windowSeconds = opts.windowSeconds ?? 60;
    this.historyMs = (opts.historySeconds ?? 3600) * 1000;
    this.intervalMs = opts.intervalMs ?? 5000;
    this.expireAfterMs = (opts.expireAfterIntervals ?? 12) * this.intervalMs;
    this.maxSeriesPerTarget = opts.maxSeriesPerTarget ?? 500;
    this.now = opts.now ?? Date.now;
    const fineMs =
      opts.fineSeconds !== undefined
        ? opts.fineSeconds * 1000
        : this.windowSeconds * 1000 + 2 * this.intervalMs;
    this.policyRates = new PolicyRates(fineMs);
    const coarseStepMs = (opts.coarseStepSeconds ?? 60) * 1000;
    this.shape = {
      fineCapacity: Math.ceil(fineMs / this.intervalMs) + 2,
      coarseCapacity: Math.ceil(this.historyMs / coarseStepMs) + 1,
      coarseStepMs,
    };
  }

  /** Adds one scrape. A scrape not newer than the target's latest one is ignored. */
  ingest(scrape: SidecarScrape): void {
    let t = this.targets.get(scrape.targetId);
    if (t !== undefined && scrape.at <= t.latest.at) return;
    if (t === undefined) {
      t = { latest: scrape, clusters: new Map(), istio: new Map(), inbound: undefined };
      this.targets.set(scrape.targetId, t);
    }
    t.latest = scrape;
    const at = scrape.at;
    for (const [name, counters] of scrape.clusters) {
      const entry = this.entryFor(t, t.clusters, name, counters.rqTime?.le ?? []);
      if (entry !== undefined) addVector(entry, at, clusterVector(counters));
    }
    for (const d of scrape.istio) {
      const key = istioKeyOf(d);
      const id = istioId(key);
      const entry = this.entryFor(t, t.istio, id, d.duration?.le ?? [], key);
      if (entry !== undefined) addKeyed(entry, at, istioKeyed(d));
    }
    if (scrape.downstream !== undefined) {
      if (t.inbound === undefined) {
        if (this.seriesCount(t) < this.maxSeriesPerTarget) {
          t.inbound = { series: new CounterSeries([], this.shape), prev: undefined };
        } else this.droppedSeries++;
      }
      if (t.inbound !== undefined) addVector(t.inbound, at, inboundVector(scrape.downstream));
    }
    this.policyRates.ingest(scrape.targetId, at, scrape.policyCounters);
    if (at > this.updatedAt) this.updatedAt = at;
    if (at - this.lastExpiry >= this.intervalMs) this.expire(at);
  }

  /** Drops everything about a target (it left the inventory). */
  forget(targetId: string): void {
    this.targets.delete(targetId);
    this.policyRates.forget(targetId);
  }

  /** Forgets targets not scraped for `expireAfterIntervals` intervals and series idle for the whole history. */
  expire(now: number = this.now()): void {
    this.lastExpiry = now;
    for (const [id, t] of this.targets) {
      if (t.latest.at < now - this.expireAfterMs) {
        this.targets.delete(id);
        this.policyRates.forget(id);
        continue;
      }
      const cutoff = now - this.historyMs;
      for (const m of [t.clusters, t.istio] as Map<string, Entry>[]) {
        for (const [k, e] of m) if (e.series.lastAt < cutoff) m.delete(k);
      }
      if (t.inbound !== undefined && t.inbound.series.lastAt < cutoff) t.inbound = undefined;
    }
  }

  stats(): MetricsStoreStats {
    let series = 0;
    let bytes = 0;
    for (const t of this.targets.values()) {
      for (const e of [...t.clusters.values(), ...t.istio.values(), ...(t.inbound ? [t.inbound] : [])]) {
        series++;
        bytes += e.series.bytes;
      }
    }
    return { targets: this.targets.size, series, bytes, droppedSeries: this.droppedSeries };
  }

  /** The same data read over another window (`GET /api/graph?window=`). */
  withWindow(windowSeconds: number): TrafficSource {
    if (windowSeconds === this.windowSeconds) return this;
    return new WindowView(this, windowSeconds);
  }

  latest(targetId: string): SidecarScrape | undefined {
    return this.targets.get(targetId)?.latest;
  }

  clusterTraffic(targetId: string, cluster: string, windowSeconds = this.windowSeconds): Traffic | undefined {
    const e = this.targets.get(targetId)?.clusters.get(cluster);
    return e === undefined ? undefined : this.trafficOf(e, windowSeconds);
  }

  istioTraffic(
    targetId: string,
    windowSeconds = this.windowSeconds,
  ): { key: IstioDestinationKey; traffic: Traffic }[] {
    const t = this.targets.get(targetId);
    if (t === undefined) return [];
    return [...t.istio.values()].map((e) => ({ key: e.key, traffic: this.trafficOf(e, windowSeconds) }));
  }

  inboundTraffic(targetId: string, windowSeconds = this.windowSeconds): Traffic | undefined {
    const e = this.targets.get(targetId)?.inbound;
    return e === undefined ? undefined : this.trafficOf(e, windowSeconds);
  }

  /** Over the window, clipped to the recent readings kept (policy-rates.ts). */
  policyFigures(targetId: string, windowSeconds = this.windowSeconds): PolicyFigures | undefined {
    return this.policyRates.figures(targetId, this.now(), windowSeconds * 1000);
  }

  /** Where windows are summed before they become Traffic (read at once, never kept), by width. */
  private readonly scratch = new Map<number, Float64Array>();

  private trafficOf(e: Entry, windowSeconds: number): Traffic {
    const width = e.series.width;
    let scratch = this.scratch.get(width);
    if (scratch === undefined) {
      scratch = new Float64Array(width);
      this.scratch.set(width, scratch);
    }
    const w = e.series.window(this.now(), windowSeconds * 1000, scratch);
    return w === undefined ? emptyTraffic() : trafficOfWindow(w);
  }

  private seriesCount(t: TargetData): number {
    return t.clusters.size + t.istio.size + (t.inbound !== undefined ? 1 : 0);
  }

  /**
   * The series for `id`, created if the target has room. A changed bucket layout (a histogram that
   * appeared, or other bounds) starts the series afresh: old and new totals cannot be compared.
   */
  private entryFor<E extends Entry>(
    t: TargetData,
    map: Map<string, E>,
    id: string,
    le: readonly number[],
    key?: IstioDestinationKey,
  ): E | undefined {
    const existing = map.get(id);
    if (existing !== undefined && sameBounds(existing.series.le, le)) return existing;
    if (existing === undefined && this.seriesCount(t) >= this.maxSeriesPerTarget) {
      this.droppedSeries++;
      return undefined;
    }
    const entry = {
      series: new CounterSeries([...le], this.shape),
      prev: undefined,
      ...(key && { key }),
    } as E;
    map.set(id, entry);
    return entry;
  }
}

function addVector(e: Entry, at: number, raw: Float64Array): void {
  const prev = e.prev instanceof Float64Array ? e.prev : undefined;
  const inc = scratch(raw.length);
  vectorIncrements(prev, raw, inc);
  e.series.add(at, inc);
  e.prev = raw;
}

/** One increments vector reused by every ingest (the series copies it): no allocation per series. */
let scratchBuffer = new Float64Array(64);
function scratch(length: number): Float64Array {
  if (scratchBuffer.length < length) scratchBuffer = new Float64Array(length);
  return scratchBuffer.subarray(0, length);
}

function addKeyed(e: Entry, at: number, raw: Map<string, number>): void {
  const prev = e.prev instanceof Map ? e.prev : undefined;
  const { increments } = keyedIncrements(prev, raw);
  e.series.add(at, istioVector(increments, e.series.le));
  e.prev = raw;
}

function istioKeyOf(d: IstioDestinationCounters): IstioDestinationKey {
  return {
    reporter: d.reporter,
    sourceWorkload: d.sourceWorkload,
    sourceNamespace: d.sourceNamespace,
    destinationWorkload: d.destinationWorkload,
    destinationNamespace: d.destinationNamespace,
    destinationService: d.destinationService,
    destinationApp: d.destinationApp,
    destinationVersion: d.destinationVersion,
  };
}

function istioId(k: IstioDestinationKey): string {
  return [
    k.reporter,
    k.sourceWorkload,
    k.sourceNamespace,
    k.destinationWorkload,
    k.destinationNamespace,
    k.destinationService,
    k.destinationApp,
    k.destinationVersion,
  ].join('\u0000');
}

/** A read-only view of a store with another default window. */
class WindowView implements TrafficSource {
  readonly windowSeconds: number;
  private readonly store: MetricsStore;

  constructor(store: MetricsStore, windowSeconds: number) {
    this.store = store;
    this.windowSeconds = windowSeconds;
  }

  get updatedAt(): number {
    return this.store.updatedAt;
  }

  latest(targetId: string): SidecarScrape | undefined {
    return this.store.latest(targetId);
  }

  clusterTraffic(targetId: string, cluster: string): Traffic | undefined {
    return this.store.clusterTraffic(targetId, cluster, this.windowSeconds);
  }

  istioTraffic(targetId: string): { key: IstioDestinationKey; traffic: Traffic }[] {
    return this.store.istioTraffic(targetId, this.windowSeconds);
  }

  inboundTraffic(targetId: string): Traffic | undefined {
    return this.store.inboundTraffic(targetId, this.windowSeconds);
  }

  policyFigures(targetId: string): PolicyFigures | undefined {
    return this.store.policyFigures(targetId, this.windowSeconds);
  }
}
