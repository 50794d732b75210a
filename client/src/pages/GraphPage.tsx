// Placeholder until the Cytoscape graph view lands: the graph as a list, so the page is useful already.
import { useQuery } from '@tanstack/react-query';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { fetchJson } from '../api/fetch-json.ts';
import { QueryState } from '../components/QueryState.tsx';

export function GraphPage() {
  const q = useQuery({
    queryKey: ['graph', 'versionedApp'],
    queryFn: () => fetchJson('/api/graph?graphType=versionedApp', GraphSchema),
    refetchInterval: 5000,
  });
  return (
    <section className="page" aria-labelledby="graph-title">
      <h1 id="graph-title">Graph</h1>
      <QueryState query={q} isEmpty={(g) => g.nodes.length === 0} empty={<p>No traffic yet.</p>}>
        {(g) => (
          <ul>
            {g.edges.map((e) => (
              <li key={e.id}>
                {e.source} → {e.target}: {e.traffic.rps.toFixed(1)} rps
              </li>
            ))}
          </ul>
        )}
      </QueryState>
    </section>
  );
}
