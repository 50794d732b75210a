// A weighted route's clusters, configured against observed share, with the way into the editor.
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import { formatPercent } from './traffic-format.ts';

export function RouteWeights({
  route,
  highlight,
  onEdit,
}: {
  route: WeightedRoute;
  /** Clusters to mark (those the selected edge carries). */
  highlight?: readonly string[];
  onEdit: (routeId: string) => void;
}) {
  const total = route.clusters.reduce((a, c) => a + c.effectiveWeight, 0);
  return (
    <div className="route-weights" data-route={route.id}>
      <p className="muted">
        {route.source.namespace}/{route.source.workload} → {route.virtualHost} · {route.match}
      </p>
      <table className="data compact">
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Configured</th>
            <th scope="col">Observed</th>
          </tr>
        </thead>
        <tbody>
          {route.clusters.map((c) => (
            <tr
              key={c.name}
              data-cluster={c.name}
              className={highlight?.includes(c.name) ? 'highlight' : undefined}
            >
              <th scope="row">{c.name}</th>
              <td>
                <ShareBar share={total > 0 ? c.effectiveWeight / total : 0} />
              </td>
              <td>
                <ShareBar share={c.observedShare} observed />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() => onEdit(route.id)}
        aria-label={`Edit weights: ${route.source.workload} → ${route.virtualHost}`}
      >
        Edit weights
      </button>
    </div>
  );
}

function ShareBar({ share, observed }: { share: number | null; observed?: boolean }) {
  return (
    <span className="share">
      <span className="share-bar" aria-hidden="true">
        <span className={observed ? 'observed' : 'configured'} style={{ width: `${(share ?? 0) * 100}%` }} />
      </span>
      {formatPercent(share)}
    </span>
  );
}
