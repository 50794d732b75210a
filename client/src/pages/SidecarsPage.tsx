import { useSidecars } from '../api/sidecars-client.ts';
import { NO_SIDECARS, QueryState } from '../components/QueryState.tsx';

function ago(ms: number | null): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return `${s} s ago`;
}

export function SidecarsPage() {
  const q = useSidecars();
  return (
    <section className="page" aria-labelledby="sidecars-title">
      <h1 id="sidecars-title">Sidecars</h1>
      <QueryState query={q} isEmpty={(d) => d.sidecars.length === 0} empty={NO_SIDECARS}>
        {(d) => (
          <table className="data">
            <thead>
              <tr>
                <th>Namespace</th>
                <th>Workload</th>
                <th>Pod</th>
                <th>Kind</th>
                <th>Scrape</th>
                <th>Last success</th>
                <th>Duration</th>
                <th>Payload</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {d.sidecars.map((s) => (
                <tr key={s.id} data-sidecar={s.id}>
                  <td>{s.namespace}</td>
                  <td>{s.workload}</td>
                  <td>{s.pod ?? '–'}</td>
                  <td>{s.kind}</td>
                  <td className={s.up ? 'badge-up' : 'badge-down'}>{s.up ? 'up' : 'down'}</td>
                  <td>{ago(s.lastSuccess)}</td>
                  <td>{s.lastDurationMs === null ? '–' : `${s.lastDurationMs.toFixed(0)} ms`}</td>
                  <td>{s.lastBytes === null ? '–' : `${(s.lastBytes / 1024).toFixed(1)} KiB`}</td>
                  <td>{s.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
