// What the HTTP layer needs from the rest of the dashboard. Routers depend on this interface only, so
// they stay thin and are tested over real HTTP with a core built from plain data.
import type { AlertHistoryEntry, AlertList, AlertRule } from '../../shared/api/alerts.ts';
import type { Graph, GraphType } from '../../shared/api/graph.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { Series } from '../../shared/api/series.ts';
import type { SidecarClusters } from '../../shared/api/sidecar-detail.ts';
import type { SidecarStatus } from '../../shared/api/sidecars.ts';
import type { Sources } from '../../shared/api/sources.ts';
import type {
  ConvertToRuntimeResult,
  RouteHistory,
  WeightChangeResult,
  WorkloadRestartResult,
} from '../../shared/api/weights.ts';

export interface GraphRequest {
  graphType: GraphType;
  namespaces: string[];
  windowSeconds: number | undefined;
}

/** How the graphs served were made (the dashboard's /metrics). */
export interface GraphStats {
  /** Graph builds: by the cycle (its own views, and views kept for requests), or for a request. */
  builds: { cycle: number; request: number };
  /** Namespace filters derived from a full view: by the cycle (filters in use), or for a request. */
  filters: { cycle: number; request: number };
  /** Views besides the cycle's own four made with every cycle (asked for lately, or watched). */
  keptViews: number;
  /** Of those, views an event stream watches. */
  watchedViews: number;
}

export interface DashboardCore {
  graph(req: GraphRequest): Graph;
  /**
   * The same graph as JSON text, when the core keeps it serialized (the server does, per cycle: one
   * string shared by every request and SSE client instead of a serialization each).
   */
  graphJson?(req: GraphRequest): string;
  /**
   * The same, for a request: a view the core does not keep yet is made without holding the event loop
   * for longer than one build (the server computes the window's figures in slices first).
   */
  graphJsonAsync?(req: GraphRequest): Promise<string>;
  /**
   * Keeps the view an event stream sends built with every cycle, while the stream is open (the server's
   * core does; a core without it builds on demand); returns the function that ends that.
   */
  watch?(req: GraphRequest): () => void;
  graphStats?(): GraphStats;
  routes(): WeightedRoute[];
  sidecars(): SidecarStatus[];
  /** Where traffic figures come from, and the health of Prometheus when it is the source. */
  sources(): Sources;
  nodeSeries(id: string): Series | undefined;
  edgeSeries(id: string): Series | undefined;
  /**
   * One sidecar's upstream clusters and host health, asked of it now; undefined for an unknown id,
   * rejected when the sidecar does not answer.
   */
  sidecarClusters(id: string): Promise<SidecarClusters | undefined>;
  /** One sidecar's `/config_dump` body (JSON text), asked of it now; as sidecarClusters otherwise. */
  sidecarConfigDump(id: string): Promise<string | undefined>;
  /** Called after every scrape cycle (a new graph can be built); returns an unsubscribe function. */
  onCycle(listener: () => void): () => void;
  /** True once discovery has run and a first scrape cycle completed. */
  ready(): boolean;
  /** Rate windows the traffic source can serve, in seconds (the first is the default). */
  readonly windows: readonly number[];
  /** Weight changes, history and revert; absent when the dashboard cannot write (no write path wired). */
  readonly weights?: WeightsService;
  /** Alerts (server/alerts/alerts-service.ts); absent when not wired. */
  readonly alerts?: AlertsApi;
}

/** GET /api/alerts, /api/alerts/history, /api/alerts/rules and the SSE `alerts` events. */
export interface AlertsApi {
  list(): AlertList;
  /** Newest first. */
  history(opts: { alertId?: string; limit?: number }): AlertHistoryEntry[];
  rules(): AlertRule[];
  exportRules(
    format: 'prometheus' | 'prometheusrule',
    opts?: { by?: string[]; namespaceLabel?: string },
  ): string;
  /** Called with the new list when an alert changes state; returns an unsubscribe function. */
  onChange(listener: (list: AlertList) => void): () => void;
}

/** An API answer that may be an error: the HTTP status, a code, a message, and the field at fault. */
export type ServiceResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { status: number; code: string; message: string; field?: string } };

/** The weights API (server/weights/weights-controller.ts); the routers stay free of its machinery. */
export interface WeightsService {
  /** PUT /api/routes/:id/weights: `body` as received, `ifMatch` the header, `who` the authenticated writer. */
  change(
    routeId: string,
    body: unknown,
    ifMatch: string | undefined,
    who: string,
  ): Promise<ServiceResult<WeightChangeResult>>;
  /** POST /api/routes/:id/revert. */
  revert(
    routeId: string,
    body: unknown,
    ifMatch: string | undefined,
    who: string,
  ): Promise<ServiceResult<WeightChangeResult>>;
  /** GET /api/routes/:id/history. */
  history(routeId: string): ServiceResult<RouteHistory>;
  /** POST /api/routes/:id/convert-to-runtime: adds runtime_key_prefix to a static route's bootstrap. */
  convertToRuntime?(
    routeId: string,
    body: unknown,
    ifMatch: string | undefined,
    who: string,
  ): Promise<ServiceResult<ConvertToRuntimeResult>>;
  /** POST /api/workloads/:namespace/:name/restart: a rollout restart. */
  restartWorkload?(
    namespace: string,
    name: string,
    who: string,
  ): Promise<ServiceResult<WorkloadRestartResult>>;
}

/** A graph as JSON text: the core's serialized copy when it keeps one. */
export function graphJsonOf(core: DashboardCore, req: GraphRequest): string {
  return core.graphJson ? core.graphJson(req) : JSON.stringify(core.graph(req));
}

/** The same, for a request or a new event stream (see DashboardCore.graphJsonAsync). */
export function graphJsonFor(core: DashboardCore, req: GraphRequest): Promise<string> {
  return core.graphJsonAsync ? core.graphJsonAsync(req) : Promise.resolve(graphJsonOf(core, req));
}
