// Rate, 5xx ratio and p95 over the dashboard's history for one node or edge.
import { type SeriesKind, useSeries } from '../api/series-client.ts';
import { Sparkline } from './Sparkline.tsx';
import { formatMs, formatPercent, formatRps } from './traffic-format.ts';

export function HistorySparklines({ kind, id }: { kind: SeriesKind; id: string }) {
  const q = useSeries(kind, id);
  const points = q.data?.points ?? [];
  return (
    <section className="panel-section" aria-label="History">
      <h3>History</h3>
      {q.isPending && <p className="muted">Loading…</p>}
      {q.isError && <p className="muted">History unavailable ({q.error.message}).</p>}
      {q.data && (
        <>
          <Sparkline label="Request rate" points={points} metric="rps" format={formatRps} />
          <Sparkline
            label="5xx ratio"
            points={points}
            metric="errorRatio"
            format={formatPercent}
            color="#c9190b"
          />
          <Sparkline label="p95 latency" points={points} metric="p95" format={formatMs} color="#8f4700" />
        </>
      )}
    </section>
  );
}
