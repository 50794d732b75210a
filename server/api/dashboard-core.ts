// What the HTTP layer needs from the rest of the dashboard. Routers depend on this interface only, so
// they stay thin and are tested over real HTTP with a core built from plain data.
import type { Graph, GraphType } from '../../shared/api/graph.ts';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import type { Series } from '../../shared/api/series.ts';
import type { SidecarClusters } from '../../shared/api/sidecar-detail.ts';
import type { SidecarStatus } from '../../shared/api/sidecars.ts';
import type { Sources } from '../../shared/api/sources.ts';

export interface GraphRequest {
  graphType: GraphType;
  namespaces: string[];
  windowSeconds: number | undefined;
}

export interface DashboardCore {
  graph(req: GraphRequest): Graph;
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
}
