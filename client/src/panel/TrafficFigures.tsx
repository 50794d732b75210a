// One direction of traffic: rate, errors with the 503 causes, latency percentiles, status classes.
import type { Traffic } from '../../../shared/api/graph.ts';
import {
  causeRows,
  errorRatio,
  formatMs,
  formatPercent,
  formatRps,
  type RateRow,
  statusRows,
} from './traffic-format.ts';

export function TrafficFigures({ title, traffic }: { title: string; traffic: Traffic }) {
  if (traffic.rps === 0) {
    return (
      <section className="panel-section" aria-label={title}>
        <h3>{title}</h3>
        <p className="muted">No requests in the window.</p>
      </section>
    );
  }
  const latency = traffic.latencyMs;
  return (
    <section className="panel-section" aria-label={title}>
      <h3>{title}</h3>
      <dl className="kv">
        <dt>Rate</dt>
        <dd data-figure="rps">{formatRps(traffic.rps)}</dd>
        <dt>5xx</dt>
        <dd data-figure="5xx">{formatPercent(errorRatio(traffic))}</dd>
        <dt>503</dt>
        <dd data-figure="503">
          {formatRps(traffic.rate503)} ({formatPercent(traffic.rate503 / traffic.rps)})
        </dd>
        <dt>Latency</dt>
        <dd data-figure="latency">
          {latency === null
            ? 'no samples'
            : `p50 ${formatMs(latency.p50)} · p95 ${formatMs(latency.p95)} · p99 ${formatMs(latency.p99)}`}
        </dd>
      </dl>
      {/* Classes that occurred, and 5xx always: "0 rps of 5xx" is itself worth reading. */}
      <RateTable
        caption="Status classes"
        rows={statusRows(traffic).filter((r) => r.rps > 0 || r.key === '5xx')}
        shareOf="of requests"
      />
      {traffic.rate503 > 0 && <RateTable caption="503 causes" rows={causeRows(traffic)} shareOf="of 503s" />}
    </section>
  );
}

function RateTable({ caption, rows, shareOf }: { caption: string; rows: RateRow[]; shareOf: string }) {
  return (
    <table className="data compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{caption === 'Status classes' ? 'Class' : 'Cause'}</th>
          <th scope="col">Rate</th>
          <th scope="col">Share {shareOf}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-row={r.key} className={r.rps > 0 ? undefined : 'zero'}>
            <th scope="row">{r.label}</th>
            <td>{formatRps(r.rps)}</td>
            <td>{formatPercent(r.share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
