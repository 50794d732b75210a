import { useState } from 'react';
import { useRoutes } from '../api/routes-client.ts';
import { QueryState } from '../components/QueryState.tsx';
import { WeightEditor } from '../weights/WeightEditor.tsx';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);

export function RoutesPage() {
  const q = useRoutes();
  const [editing, setEditing] = useState<string | undefined>();
  return (
    <section className="page" aria-labelledby="routes-title">
      <h1 id="routes-title">Weighted routes</h1>
      <QueryState
        query={q}
        isEmpty={(d) => d.routes.length === 0}
        empty={<p>No weighted routes in the mesh.</p>}
      >
        {(d) => (
          <table className="data">
            <thead>
              <tr>
                <th>Source</th>
                <th>Route</th>
                <th>Cluster</th>
                <th>Configured</th>
                <th>Observed</th>
                <th>Replicas</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.routes.flatMap((r) =>
                r.clusters.map((c, i) => {
                  const total = r.clusters.reduce((a, x) => a + x.effectiveWeight, 0);
                  return (
                    <tr key={`${r.id}/${c.name}`} data-route={r.id}>
                      {i === 0 && (
                        <>
                          <td rowSpan={r.clusters.length}>
                            {r.source.namespace}/{r.source.workload}
                          </td>
                          <td rowSpan={r.clusters.length}>
                            {r.virtualHost} · {r.match}
                          </td>
                        </>
                      )}
                      <td>{c.name}</td>
                      <td>{pct(total > 0 ? c.effectiveWeight / total : 0)}</td>
                      <td>{pct(c.observedShare)}</td>
                      {i === 0 && (
                        <>
                          <td rowSpan={r.clusters.length}>{r.replicas.length}</td>
                          <td rowSpan={r.clusters.length}>
                            <button
                              type="button"
                              onClick={() => setEditing(r.id)}
                              aria-label={`Edit the weights of ${r.source.workload} → ${r.virtualHost}`}
                            >
                              Edit
                            </button>
                          </td>
                        </>
                      )}
                    </tr>
                  );
                }),
              )}
            </tbody>
          </table>
        )}
      </QueryState>
      {editing !== undefined && <WeightEditor routeId={editing} onClose={() => setEditing(undefined)} />}
    </section>
  );
}
