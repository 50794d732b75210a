// An edge's panel: its two ends, the clusters it aggregates, its traffic and history, and for edges a
// weighted route produced, the route's configured against observed split with the way to edit it.
import type { Graph, GraphEdge } from '../../../shared/api/graph.ts';
import { useRoutes } from '../api/routes-client.ts';
import { HistorySparklines } from './HistorySparklines.tsx';
import { nodeTitle } from './node-identity.ts';
import { PolicyList } from './PolicyList.tsx';
import { RouteWeights } from './RouteWeights.tsx';
import { TrafficFigures } from './TrafficFigures.tsx';
import { formatPercent } from './traffic-format.ts';

export function EdgeDetail({
  edge,
  graph,
  onEditRoute,
}: {
  edge: GraphEdge;
  graph: Graph;
  onEditRoute: (routeId: string) => void;
}) {
  const routes = useRoutes();
  const end = (id: string) => {
    const n = graph.nodes.find((x) => x.id === id);
    return n ? `${nodeTitle(n)} (${n.namespace})` : id;
  };
  const routeIds = [...new Set(edge.weights.map((w) => w.routeId))];
  return (
    <>
      <header className="panel-header">
        <h2 id="side-panel-title">
          {end(edge.source)} → {end(edge.target)}
        </h2>
        <span className={`health health-${edge.health}`}>{edge.health}</span>
      </header>
      <dl className="kv">
        <div className="kv-row">
          <dt>Protocol</dt>
          <dd>{edge.protocol}</dd>
        </div>
        <div className="kv-row">
          <dt>Clusters</dt>
          <dd>{edge.clusters.length > 0 ? edge.clusters.join(', ') : '–'}</dd>
        </div>
      </dl>
      {edge.mirror === true && (
        <p className="muted" data-mirror>
          Mirrored copies of the caller's requests (fire and forget: the caller never sees these answers).
        </p>
      )}
      <TrafficFigures title="Traffic" traffic={edge.traffic} />
      <PolicyList policies={edge.policies} />
      <HistorySparklines kind="edge" id={edge.id} />
      {routeIds.length > 0 && (
        <section className="panel-section" aria-label="Weighted routes">
          <h3>Weights</h3>
          {routeIds.map((id) => {
            const route = routes.data?.routes.find((r) => r.id === id);
            if (route) {
              return <RouteWeights key={id} route={route} highlight={edge.clusters} onEdit={onEditRoute} />;
            }
            // The routes list has not caught up: what the edge itself carries, still editable.
            return (
              <div key={id} className="route-weights" data-route={id}>
                <ul>
                  {edge.weights
                    .filter((w) => w.routeId === id)
                    .map((w) => (
                      <li key={w.cluster}>
                        {w.cluster}: configured {formatPercent(w.configured)}, observed{' '}
                        {formatPercent(w.observed)}
                      </li>
                    ))}
                </ul>
                <button type="button" onClick={() => onEditRoute(id)}>
                  Edit weights
                </button>
              </div>
            );
          })}
        </section>
      )}
    </>
  );
}
