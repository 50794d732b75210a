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
import type { AlertsApi, DashboardCore, GraphRequest, WeightsService } from './api/dashboard-core.ts';
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

export class Dashboard implements DashboardCore {
  readonly windows: readonly number[];
  private readonly opts: DashboardOptions;
  private readonly history = new SeriesHistory();
  private readonly listeners = new Set<() => void>();
  /** Graphs built since the last cycle, shared by every request and SSE client asking the same thing. */
  private cache = new Map<string, Graph>();
  /** The same, serialized: what the API and the event stream send. */
  private json = new Map<string, string>();
  /** Full graphs read back from their JSON this cycle, for namespace filters. */
  private parsed = new Map<string, Graph>();
  private routesCache: WeightedRoute[] | undefined;
  private readonly windowed = new Map<number, CachedTrafficSource>();
  private cycles = 0;

  readonly weights: WeightsService | undefined;
  readonly alerts: AlertsApi | undefined;

  constructor(opts: DashboardOptions) {
    this.opts = opts;
    this.windows = opts.windows;
    this.weights = opts.weights;
    this.alerts = opts.alerts;
  }

  /** After each scrape (or Prometheus refresh) cycle: new figures, so caches go and history grows. */
  cycle(): void {
    this.cycles++;
    this.cache = new Map();
    this.routesCache = undefined;
    this.json = new Map();
    this.parsed = new Map();
    // Every graph type is recorded, so any node or edge id the UI shows has a sparkline, and kept for
    // the cycle as JSON text: every request and SSE client asking for one of the four is answered
    // with that one string, and the text (≈ 21 MB at 1,000 sidecars) costs half what the objects
    // would held all cycle long (bench/graph: resident memory), for ≈ 25 ms of JSON each per cycle.
    for (const graphType of GRAPH_TYPES) {
      const request: GraphRequest = { graphType, namespaces: [], windowSeconds: undefined };
      const graph = this.graph(request);
      this.history.record(graph);
      this.json.set(this.cacheKey(request), JSON.stringify(graph));
      this.cache.delete(this.cacheKey(request));
    }
    for (const l of this.listeners) l();
  }

  /**
   * The traffic source for a window, wrapped so each sidecar's figures are computed once per scrape and
   * shared by every graph type, filter and API call until that sidecar is scraped again.
   */
  private trafficFor(windowSeconds: number | undefined): TrafficSource {
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
    const key = this.cacheKey(req);
    let text = this.json.get(key);
    if (text === undefined) {
      text = JSON.stringify(req.namespaces.length > 0 ? this.filtered(req) : this.graph(req));
      this.json.set(key, text);
      this.cache.delete(key);
    }
    return text;
  }

  /**
   * A namespace-filtered graph, derived from this cycle's full graph of its type and window (the same
   * graph a filtered build gives: server/graph/filter-graph.ts), so a filter costs no build. The full
   * graph is read back from its JSON once per cycle, and only when a filter is asked for.
   */
  private filtered(req: GraphRequest): Graph {
    const fullRequest: GraphRequest = { ...req, namespaces: [] };
    const fullKey = this.cacheKey(fullRequest);
    let full = this.parsed.get(fullKey);
    if (full === undefined) {
      full = JSON.parse(this.graphJson(fullRequest)) as Graph;
      this.parsed.set(fullKey, full);
    }
    return filterGraphByNamespaces(full, req.namespaces);
  }

  private cacheKey(req: GraphRequest): string {
    return `${req.graphType}|${req.namespaces.join(',')}|${req.windowSeconds ?? ''}`;
  }

  graph(req: GraphRequest): Graph {
    const key = this.cacheKey(req);
    let g = this.cache.get(key);
    if (!g) {
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

  /** The sparkline history's size: ids tracked and bytes of points (bench/graph, self-metrics). */
  historyStats(): { ids: number; bytes: number } {
    return { ids: this.history.size, bytes: this.history.bytes };
  }

  onCycle(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ready(): boolean {
    return this.cycles > 0;
  }
}
