// The dashboard's core: discovery + traffic + the pure graph functions, behind the DashboardCore the
// HTTP layer reads. It holds no state of its own beyond caches that the next cycle rebuilds: the
// inventory lives in its source (a file, Kubernetes), traffic in the metrics store or Prometheus.
import type { Graph, GraphType } from '../shared/api/graph.ts';
import type { WeightedRoute } from '../shared/api/routes.ts';
import type { Series } from '../shared/api/series.ts';
import type { SidecarClusters } from '../shared/api/sidecar-detail.ts';
import type { SidecarStatus } from '../shared/api/sidecars.ts';
import type { PrometheusSourceStatus, Sources } from '../shared/api/sources.ts';
import { buildMeshSnapshot, type MeshSnapshot } from './alerts/mesh-snapshot.ts';
import type {
  AlertsApi,
  DashboardCore,
  GraphRequest,
  GraphStats,
  WeightsService,
} from './api/dashboard-core.ts';
import { CachedTrafficSource } from './graph/cached-traffic-source.ts';
import { filterGraphByNamespaces } from './graph/filter-graph.ts';
import { buildGraph } from './graph/graph-builder.ts';
import type { HealthThresholds } from './graph/health.ts';
import { buildRoutes } from './graph/routes-builder.ts';
import { SeriesHistory } from './graph/series-history.ts';
import type { InventorySource, SidecarTarget } from './model/inventory.ts';
import type { TrafficSource } from './model/traffic-source.ts';
import { fetchSidecarClusters, fetchSidecarConfigDump } from './sources/envoy/sidecar-detail-fetch.ts';

export interface WindowedTrafficSource extends TrafficSource {
  /** A view over another window; sources that serve one window only may omit it. */
  withWindow?(windowSeconds: number): TrafficSource;
}

export interface DashboardOptions {
  inventory: InventorySource;
  traffic: WindowedTrafficSource;
  statuses: () => SidecarStatus[];
  /** The Prometheus source's health, when traffic comes from PromQL rather than from scrapes. */
  prometheusStatus?: () => PrometheusSourceStatus;
  /** Windows the traffic source can serve (seconds); the first is the default. */
  windows: number[];
  health?: HealthThresholds;
  /**
   * The weights API (server/weights/weights-controller.ts), with what it adds to every route on each
   * read (drift, desired weights, the version a change must match): not cached, it moves with changes.
   */
  weights?: WeightsService & { decorate(routes: readonly WeightedRoute[]): WeightedRoute[] };
  /** The alerts API (server/alerts/alerts-service.ts); evaluated over alertSnapshot() each cycle. */
  alerts?: AlertsApi;
}

const GRAPH_TYPES: GraphType[] = ['workload', 'app', 'versionedApp', 'service'];

/**
 * A view someone asked for (another window, or a type/window a filter derives from) is built with the
 * cycle's own graphs for this many cycles after it was last asked for (a minute at 5 s), and as long as
 * an event stream watches it, so requests for it are answered from the cycle's JSON rather than with
 * a build (≈ 100 ms at 1,000 sidecars: docs/benchmarks.md).
 */
const KEEP_ASKED_CYCLES = 12;

/** A full (unfiltered) view that requests or event streams are interested in. */
interface Interest {
  request: GraphRequest;
  watchers: number;
  /** The cycle it was last asked for in. */
  askedIn: number;
}

/** A graph's JSON, and the cycle whose figures it shows. */
interface Serialized {
  text: string;
  cycle: number;
}

/** Sidecars whose figures are computed between two turns of the event loop (≈ 20 ms at 200). */
const PREPARE_SLICE = 200;

/** Gives the event loop back between two builds, so a request never waits behind a whole cycle. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Dashboard implements DashboardCore {
  readonly windows: readonly number[];
  private readonly opts: DashboardOptions;
  private readonly history = new SeriesHistory();
  private readonly listeners = new Set<() => void>();
  /** Graph objects built this cycle and not yet serialized (the alert snapshot's, between builds). */
  private cache = new Map<string, Graph>();
  /**
   * Views as JSON text, shared by every request and SSE client asking the same thing. While a cycle
   * rebuilds them, a view not rebuilt yet answers with the previous cycle's text; at the end of the
   * cycle every older text goes.
   */
  private readonly json = new Map<string, Serialized>();
  /** Full graphs read back from their JSON, for namespace filters (same lifetime as their text). */
  private readonly parsed = new Map<string, { graph: Graph; cycle: number }>();
  private readonly interest = new Map<string, Interest>();
  private routesCache: WeightedRoute[] | undefined;
  private readonly windowed = new Map<number, CachedTrafficSource>();
  /** Cycles started; the figures in the traffic source are this cycle's. */
  private started = 0;
  private completed = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly builds = { cycle: 0, request: 0 };

  readonly weights: WeightsService | undefined;
  readonly alerts: AlertsApi | undefined;

  constructor(opts: DashboardOptions) {
    this.opts = opts;
    this.windows = opts.windows;
    this.weights = opts.weights;
    this.alerts = opts.alerts;
  }

  /**
   * After each scrape (or Prometheus refresh) cycle: new figures, so views are rebuilt, history grows
   * and listeners are told. Resolves when that is done; a call while a cycle runs makes one more.
   */
  cycle(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.runCycle();
      } while (this.again);
    };
    this.running = run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  // The cycle is cut where the event loop can serve requests in between: the figures of each window a
  // few hundred sidecars at a time, then each view's build, its history and its JSON (bench/graph:
  // the longest wait for the event loop during a cycle).
  private async runCycle(): Promise<void> {
    const cycle = ++this.started;
    this.cache = new Map();
    this.routesCache = undefined;
    for (const [key, interest] of this.interest) {
      if (interest.watchers === 0 && cycle - interest.askedIn > KEEP_ASKED_CYCLES) this.interest.delete(key);
    }
    const windows = new Set([undefined, ...[...this.interest.values()].map((i) => i.request.windowSeconds)]);
    for (const w of windows) await this.prepare(w);
    // Every graph type is recorded, so any node or edge id the UI shows has a sparkline, and kept for
    // the cycle as JSON text: the text (≈ 21 MB at 1,000 sidecars) costs half what the objects would
    // held all cycle long (bench/graph: resident memory), for ≈ 25 ms of JSON each per cycle.
    for (const graphType of GRAPH_TYPES) {
      const request: GraphRequest = { graphType, namespaces: [], windowSeconds: undefined };
      const graph = this.graph(request, 'cycle');
      await yieldToRequests();
      this.history.record(graph);
      await yieldToRequests();
      this.serialize(request, graph, cycle);
      // The workload graph stays until the listeners ran: the alert snapshot reads it.
      if (graphType !== 'workload') this.cache.delete(this.cacheKey(request));
      await yieldToRequests();
    }
    for (const [key, interest] of this.interest) {
      if (this.json.get(key)?.cycle === cycle) continue;
      const graph = this.graph(interest.request, 'cycle');
      await yieldToRequests();
      this.serialize(interest.request, graph, cycle);
      this.cache.delete(key);
      await yieldToRequests();
    }
    for (const [key, s] of this.json) if (s.cycle < cycle) this.json.delete(key);
    for (const [key, p] of this.parsed) if (p.cycle < cycle) this.parsed.delete(key);
    this.completed++;
    for (const l of this.listeners) l();
    this.cache.clear();
  }

  /** Computes a window's figures for every sidecar, a slice at a time. */
  private async prepare(windowSeconds: number | undefined): Promise<void> {
    const traffic = this.trafficFor(windowSeconds);
    const sidecars = this.opts.inventory.current().sidecars;
    for (let i = 0; i < sidecars.length; i += PREPARE_SLICE) {
      for (const s of sidecars.slice(i, i + PREPARE_SLICE)) traffic.prepare(s.id);
      await yieldToRequests();
    }
  }

  private serialize(req: GraphRequest, graph: Graph, cycle: number): string {
    const text = JSON.stringify(graph);
    this.json.set(this.cacheKey(req), { text, cycle });
    return text;
  }

  /**
   * The traffic source for a window, wrapped so each sidecar's figures are computed once per scrape and
   * shared by every graph type, filter and API call until that sidecar is scraped again.
   */
  private trafficFor(windowSeconds: number | undefined): CachedTrafficSource {
    const t = this.opts.traffic;
    const w = windowSeconds === undefined || !t.withWindow ? t.windowSeconds : windowSeconds;
    let cached = this.windowed.get(w);
    if (!cached) {
      cached = new CachedTrafficSource(w === t.windowSeconds || !t.withWindow ? t : t.withWindow(w));
      this.windowed.set(w, cached);
    }
    return cached;
  }

  graphJson(req: GraphRequest): string {
    const full: GraphRequest = { ...req, namespaces: [] };
    this.noteInterest(full, 0);
    const key = this.cacheKey(req);
    const kept = this.json.get(key);
    if (kept !== undefined) return kept.text;
    if (req.namespaces.length === 0) {
      const text = this.serialize(req, this.graph(req), this.started);
      this.cache.delete(key);
      return text;
    }
    const { graph, cycle } = this.filtered(req);
    const text = JSON.stringify(graph);
    this.json.set(key, { text, cycle });
    return text;
  }

  async graphJsonAsync(req: GraphRequest): Promise<string> {
    const kept = this.json.get(this.cacheKey(req));
    if (kept !== undefined) {
      this.noteInterest({ ...req, namespaces: [] }, 0);
      return kept.text;
    }
    if (req.namespaces.length > 0) {
      // A filter is derived from its full view: that one first.
      await this.graphJsonAsync({ ...req, namespaces: [] });
    } else {
      await this.prepare(req.windowSeconds);
      this.graph(req);
      await yieldToRequests();
    }
    return this.graphJson(req);
  }

  /**
   * Keeps a view built with each cycle while an event stream sends it (`GET /api/events`); returns the
   * function that ends that.
   */
  watch(req: GraphRequest): () => void {
    const interest = this.noteInterest({ ...req, namespaces: [] }, 1);
    let watching = true;
    return () => {
      if (watching) interest.watchers--;
      watching = false;
    };
  }

  private noteInterest(full: GraphRequest, watchers: number): Interest {
    const key = this.cacheKey(full);
    let interest = this.interest.get(key);
    if (interest === undefined) {
      interest = { request: full, watchers: 0, askedIn: this.started };
      // The cycle's own four views need no interest: they are always built.
      if (this.isCycleView(full)) return interest;
      this.interest.set(key, interest);
    }
    interest.watchers += watchers;
    interest.askedIn = this.started;
    return interest;
  }

  private isCycleView(req: GraphRequest): boolean {
    return req.namespaces.length === 0 && this.windowKey(req.windowSeconds) === '';
  }

  /**
   * A namespace-filtered graph, derived from the full graph of its type and window (the same graph a
   * filtered build gives: server/graph/filter-graph.ts), so a filter costs no build. The full graph is
   * read back from its JSON once per cycle, and only when a filter is asked for; the result shows the
   * cycle that full graph showed.
   */
  private filtered(req: GraphRequest): { graph: Graph; cycle: number } {
    const fullRequest: GraphRequest = { ...req, namespaces: [] };
    const fullKey = this.cacheKey(fullRequest);
    let full = this.parsed.get(fullKey);
    const text = this.json.get(fullKey);
    if (full === undefined || (text !== undefined && text.cycle !== full.cycle)) {
      const source = text ?? { text: this.graphJson(fullRequest), cycle: this.started };
      full = { graph: JSON.parse(source.text) as Graph, cycle: source.cycle };
      this.parsed.set(fullKey, full);
    }
    return { graph: filterGraphByNamespaces(full.graph, req.namespaces), cycle: full.cycle };
  }

  /** A request's cache key: the default window spelled out (`?window=60`) is the default's view. */
  private cacheKey(req: GraphRequest): string {
    return `${req.graphType}|${req.namespaces.join(',')}|${this.windowKey(req.windowSeconds)}`;
  }

  private windowKey(windowSeconds: number | undefined): string {
    const t = this.opts.traffic;
    return windowSeconds === undefined || windowSeconds === t.windowSeconds || !t.withWindow
      ? ''
      : String(windowSeconds);
  }

  graph(req: GraphRequest, by: keyof GraphStats['builds'] = 'request'): Graph {
    const key = this.cacheKey(req);
    let g = this.cache.get(key);
    if (!g) {
      this.builds[by]++;
      g = buildGraph(this.opts.inventory.current(), this.trafficFor(req.windowSeconds), {
        graphType: req.graphType,
        namespaces: req.namespaces,
        ...(this.opts.health ? { health: this.opts.health } : {}),
      });
      this.cache.set(key, g);
    }
    return g;
  }

  routes(): WeightedRoute[] {
    this.routesCache ??= buildRoutes(this.opts.inventory.current(), this.trafficFor(undefined));
    return this.opts.weights ? this.opts.weights.decorate(this.routesCache) : this.routesCache;
  }

  /** What the alert rules read this cycle: the default window's figures, shared with the graph's. */
  alertSnapshot(at = Date.now()): MeshSnapshot {
    return buildMeshSnapshot({
      at,
      inventory: this.opts.inventory.current(),
      traffic: this.trafficFor(undefined),
      graph: this.graph({ graphType: 'workload', namespaces: [], windowSeconds: undefined }),
      routes: this.routes(),
      sidecars: this.sidecars(),
    });
  }

  sidecars(): SidecarStatus[] {
    return this.opts.statuses();
  }

  sources(): Sources {
    const prometheus = this.opts.prometheusStatus?.();
    return prometheus ? { traffic: 'prometheus', prometheus } : { traffic: 'scrape', prometheus: null };
  }

  nodeSeries(id: string): Series | undefined {
    return this.series(id);
  }

  edgeSeries(id: string): Series | undefined {
    return this.series(id);
  }

  async sidecarClusters(id: string): Promise<SidecarClusters | undefined> {
    const target = this.sidecarTarget(id);
    return target && fetchSidecarClusters(target);
  }

  async sidecarConfigDump(id: string): Promise<string | undefined> {
    const target = this.sidecarTarget(id);
    return target && fetchSidecarConfigDump(target);
  }

  private sidecarTarget(id: string): SidecarTarget | undefined {
    return this.opts.inventory.current().sidecars.find((s) => s.id === id);
  }

  private series(id: string): Series | undefined {
    const points = this.history.get(id);
    return points.length > 0 ? { id, points } : undefined;
  }

  graphStats(): GraphStats {
    let watched = 0;
    for (const i of this.interest.values()) if (i.watchers > 0) watched++;
    return { builds: { ...this.builds }, keptViews: this.interest.size, watchedViews: watched };
  }

  /** The sparkline history's size: ids tracked and bytes of points (bench/graph, self-metrics). */
  historyStats(): { ids: number; bytes: number } {
    return { ids: this.history.size, bytes: this.history.bytes };
  }

  onCycle(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ready(): boolean {
    return this.completed > 0;
  }
}
