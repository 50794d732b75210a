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
import { ViewCache } from './graph/view-cache.ts';
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

/** The cycle's own views: every graph type of the default window, unfiltered. */
const CYCLE_VIEWS: GraphRequest[] = GRAPH_TYPES.map((graphType) => ({
  graphType,
  namespaces: [],
  windowSeconds: undefined,
}));

/** Sidecars whose figures are computed between two turns of the event loop (≈ 20 ms at 200). */
const PREPARE_SLICE = 200;

/** Gives the event loop back between two steps, so a request never waits behind a whole cycle. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Dashboard implements DashboardCore {
  readonly windows: readonly number[];
  private readonly opts: DashboardOptions;
  private readonly history = new SeriesHistory();
  private readonly listeners = new Set<() => void>();
  /** Graph objects built and not yet serialized (the workload graph the alert snapshot reads). */
  private cache = new Map<string, Graph>();
  /** The views served as JSON text, and the views in use (server/graph/view-cache.ts). */
  private readonly views: ViewCache;
  private routesCache: WeightedRoute[] | undefined;
  private readonly windowed = new Map<number, CachedTrafficSource>();
  /** Cycles started; the figures in the traffic source are this cycle's. */
  private started = 0;
  private completed = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly counts: Omit<GraphStats, 'keptViews' | 'watchedViews'> = {
    builds: { cycle: 0, request: 0 },
    filters: { cycle: 0, request: 0 },
  };

  readonly weights: WeightsService | undefined;
  readonly alerts: AlertsApi | undefined;

  constructor(opts: DashboardOptions) {
    this.opts = opts;
    this.windows = opts.windows;
    this.weights = opts.weights;
    this.alerts = opts.alerts;
    this.views = new ViewCache({
      key: (req) => this.cacheKey(req),
      isCycleView: (req) => req.namespaces.length === 0 && this.windowKey(req.windowSeconds) === '',
    });
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
  // few hundred sidecars at a time, then each view's build, its history, its JSON and each filter of
  // it in use (bench/graph: the longest wait for the event loop during a cycle).
  private async runCycle(): Promise<void> {
    const cycle = ++this.started;
    this.cache = new Map();
    this.routesCache = undefined;
    const plan = this.views.plan(cycle, CYCLE_VIEWS);
    for (const w of plan.windows) await this.prepare(w);
    const workloadKey = this.cacheKey(CYCLE_VIEWS[0]!);
    for (const view of plan.views) {
      // Built on demand since the cycle started: its filters are derived on demand too.
      if (this.views.text(view.request)?.cycle === cycle) continue;
      const graph = this.graph(view.request, 'cycle');
      await yieldToRequests();
      // Every graph type of the default window is recorded, so any node or edge id the UI shows has
      // a sparkline; the views are kept as JSON text, which (≈ 21 MB for the four at 1,000 sidecars)
      // costs half what the objects would held all cycle long (bench/graph: resident memory).
      if (view.own) {
        this.history.record(graph);
        await yieldToRequests();
      }
      this.serialize(view.request, graph, cycle);
      await yieldToRequests();
      for (const filter of view.filters) {
        this.counts.filters.cycle++;
        this.serialize(filter, filterGraphByNamespaces(graph, filter.namespaces), cycle);
        await yieldToRequests();
      }
      // The workload graph stays until the listeners ran: the alert snapshot reads it.
      if (view.key !== workloadKey) this.cache.delete(view.key);
    }
    this.views.dropBefore(cycle);
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
    this.views.setText(req, text, cycle);
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
    this.views.note(req, this.started);
    const kept = this.views.text(req);
    if (kept !== undefined) return kept.text;
    if (req.namespaces.length === 0) {
      const text = this.serialize(req, this.graph(req), this.started);
      this.cache.delete(this.cacheKey(req));
      return text;
    }
    // A filter is derived from its full view (the same graph a filtered build gives:
    // server/graph/filter-graph.ts), read back from that view's text, and shows that view's cycle.
    const fullRequest: GraphRequest = { ...req, namespaces: [] };
    this.graphJson(fullRequest);
    const full = this.views.text(fullRequest)!;
    this.counts.filters.request++;
    const text = JSON.stringify(
      filterGraphByNamespaces(this.views.parsedFull(fullRequest, full), req.namespaces),
    );
    this.views.setText(req, text, full.cycle);
    return text;
  }

  async graphJsonAsync(req: GraphRequest): Promise<string> {
    const kept = this.views.text(req);
    if (kept !== undefined) {
      this.views.note(req, this.started);
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
    const interest = this.views.note(req, this.started, 1);
    let watching = true;
    return () => {
      if (watching) interest.watchers--;
      watching = false;
    };
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
      this.counts.builds[by]++;
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
    const { kept, watched } = this.views.stats();
    return {
      builds: { ...this.counts.builds },
      filters: { ...this.counts.filters },
      keptViews: kept,
      watchedViews: watched,
    };
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
