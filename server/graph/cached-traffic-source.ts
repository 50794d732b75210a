// Rates computed once per scrape. A TrafficSource such as the metrics store computes every figure on
// demand (window look-up, histogram_quantile), and one graph reads ~12,000 of them at 1,000 sidecars:
// ~60 ms, more than half of building the graph. Figures only change when a sidecar is scraped again,
// so this wrapper keeps each target's figures until its latest scrape changes (`latest(id).at`), and
// every graph type, namespace filter and API call between two scrapes reuses them. The window still
// slides between scrapes; a figure is at most one scrape interval older than a fresh computation.
import type { Traffic } from '../../shared/api/graph.ts';
import type { PolicyFigures } from '../model/policy-config.ts';
import type { SidecarScrape } from '../model/sidecar-data.ts';
import type { IstioDestinationKey, TrafficSource } from '../model/traffic-source.ts';

type IstioTraffic = { key: IstioDestinationKey; traffic: Traffic }[];

interface TargetFigures {
  at: number;
  clusters: Map<string, Traffic | undefined>;
  inbound: { value: Traffic | undefined } | undefined;
  istio: IstioTraffic | undefined;
  policies: { value: PolicyFigures | undefined } | undefined;
}

export class CachedTrafficSource implements TrafficSource {
  private readonly inner: TrafficSource;
  private readonly targets = new Map<string, TargetFigures>();
  /** Size after the last sweep of vanished targets; the next sweep runs when the map has doubled. */
  private swept = 0;

  constructor(inner: TrafficSource) {
    this.inner = inner;
  }

  get windowSeconds(): number {
    return this.inner.windowSeconds;
  }

  get updatedAt(): number {
    return this.inner.updatedAt;
  }

  latest(targetId: string): SidecarScrape | undefined {
    return this.inner.latest(targetId);
  }

  clusterTraffic(targetId: string, cluster: string): Traffic | undefined {
    const f = this.figures(targetId);
    if (f === undefined) return this.inner.clusterTraffic(targetId, cluster);
    if (f.clusters.has(cluster)) return f.clusters.get(cluster);
    const t = this.inner.clusterTraffic(targetId, cluster);
    f.clusters.set(cluster, t);
    return t;
  }

  istioTraffic(targetId: string): IstioTraffic {
    const f = this.figures(targetId);
    if (f === undefined) return this.inner.istioTraffic(targetId);
    f.istio ??= this.inner.istioTraffic(targetId);
    return f.istio;
  }

  inboundTraffic(targetId: string): Traffic | undefined {
    const f = this.figures(targetId);
    if (f === undefined) return this.inner.inboundTraffic(targetId);
    f.inbound ??= { value: this.inner.inboundTraffic(targetId) };
    return f.inbound.value;
  }

  policyFigures(targetId: string): PolicyFigures | undefined {
    if (this.inner.policyFigures === undefined) return undefined;
    const f = this.figures(targetId);
    if (f === undefined) return this.inner.policyFigures(targetId);
    f.policies ??= { value: this.inner.policyFigures(targetId) };
    return f.policies.value;
  }

  /**
   * Computes every figure of a target now (its clusters, inbound listener, Istio destinations and
   * policy counters), so a graph build that follows only reads them: the dashboard does this a few
   * hundred sidecars at a time, giving the event loop back in between.
   */
  prepare(targetId: string): void {
    const scrape = this.inner.latest(targetId);
    if (scrape === undefined) return;
    for (const cluster of scrape.clusters.keys()) this.clusterTraffic(targetId, cluster);
    this.inboundTraffic(targetId);
    this.istioTraffic(targetId);
    this.policyFigures(targetId);
  }

  /** The target's cached figures, fresh for its latest scrape; undefined when it has none (not cached). */
  private figures(targetId: string): TargetFigures | undefined {
    const at = this.inner.latest(targetId)?.at;
    if (at === undefined) {
      this.targets.delete(targetId);
      return undefined;
    }
    let f = this.targets.get(targetId);
    if (f === undefined || f.at !== at) {
      f = { at, clusters: new Map(), inbound: undefined, istio: undefined, policies: undefined };
      this.targets.set(targetId, f);
      if (this.targets.size > 2 * this.swept + 1024) this.sweep();
    }
    return f;
  }

  /** Drops targets the source no longer knows (pods gone), so the cache stays as large as the mesh. */
  private sweep(): void {
    for (const id of this.targets.keys()) if (this.inner.latest(id) === undefined) this.targets.delete(id);
    this.swept = this.targets.size;
  }
}
