// The alerts: meshscope's own (firing, pending, recently resolved) with filters, a timeline of the
// last hour from the history, and the Prometheus server's alerts beside them when it is the source.
// An alert with a place on the graph links there (its edge, else its workload).
import { useMemo, useState } from 'react';
import type { Alert, AlertList, AlertState, Severity } from '../../../shared/api/alerts.ts';
import { useAlertHistory, useAlerts } from '../api/alerts-client.ts';
import { QueryState } from '../components/QueryState.tsx';
import { alertGraphLink } from '../graph/alert-marks.ts';
import { AlertTimeline } from './AlertTimeline.tsx';
import './alerts.css';

type StateFilter = AlertState | 'all';
type SeverityFilter = Severity | 'all';

function since(ms: number | null, now: number): string {
  if (ms === null) return '–';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function formatValue(a: Alert): string {
  const v = a.value;
  if (v === null) return '–';
  switch (a.rule) {
    case 'edge503Ratio':
    case 'edge5xxRatio':
    case 'weightShareDrift':
      return `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
    case 'edgeLatencyP99':
      return `${v.toFixed(0)} ms`;
    case 'sidecarScrapeFailing':
      return `${v.toFixed(0)} s`;
    default:
      return String(Number(v.toFixed(2)));
  }
}

export function filterAlerts(
  alerts: readonly Alert[],
  f: { state: StateFilter; severity: SeverityFilter; namespace: string; text: string },
): Alert[] {
  const text = f.text.trim().toLowerCase();
  return alerts.filter(
    (a) =>
      (f.state === 'all' || a.state === f.state) &&
      (f.severity === 'all' || a.labels.severity === f.severity) &&
      (f.namespace === '' || a.labels.namespace === f.namespace) &&
      (text === '' ||
        [a.labels.alertname, a.annotations.summary, a.labels.workload ?? '', a.labels.cluster ?? '']
          .join(' ')
          .toLowerCase()
          .includes(text)),
  );
}

function AlertRow({ a, now }: { a: Alert; now: number }) {
  const link = alertGraphLink(a);
  return (
    <tr data-alert={a.id} data-state={a.state} className={`alert-row alert-${a.state}`}>
      <td>
        <span className={`alert-state alert-state-${a.state}`}>{a.state}</span>
      </td>
      <td>
        <span className={`severity severity-${a.labels.severity}`}>{a.labels.severity}</span>
      </td>
      <td>{a.labels.alertname}</td>
      <td>
        {link === undefined ? (
          a.annotations.summary
        ) : (
          <a href={link} title="Show on the graph">
            {a.annotations.summary}
          </a>
        )}
        <div className="alert-description">{a.annotations.description}</div>
      </td>
      <td>
        {a.labels.namespace}/{a.labels.workload ?? '–'}
      </td>
      <td>{formatValue(a)}</td>
      <td title={new Date(a.activeAt).toISOString()}>
        {a.state === 'resolved'
          ? `resolved ${since(a.resolvedAt, now)}`
          : since(a.firingAt ?? a.activeAt, now)}
      </td>
    </tr>
  );
}

function PrometheusAlerts({ p }: { p: NonNullable<AlertList['prometheus']> }) {
  const shown = p.alerts.filter((a) => a.state !== 'inactive');
  return (
    <section aria-labelledby="prometheus-alerts-title" className="prometheus-alerts">
      <h2 id="prometheus-alerts-title">Prometheus ({p.url})</h2>
      {p.error !== null && (
        <p className="state" role="alert">
          Prometheus' alerts could not be read: {p.error}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="state">No pending or firing alerts in Prometheus.</p>
      ) : (
        <table className="data" aria-label="Prometheus alerts">
          <thead>
            <tr>
              <th>State</th>
              <th>Alert</th>
              <th>Summary</th>
              <th>Labels</th>
              <th>Active since</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((a) => (
              <tr key={JSON.stringify(a.labels)} data-prometheus-alert={a.labels['alertname'] ?? ''}>
                <td>
                  <span className={`alert-state alert-state-${a.state}`}>{a.state}</span>
                </td>
                <td>{a.labels['alertname']}</td>
                <td>{a.annotations['summary'] ?? ''}</td>
                <td className="labels">
                  {Object.entries(a.labels)
                    .filter(([k]) => k !== 'alertname')
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ')}
                </td>
                <td>{a.activeAt ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One of the list's filters: a labelled select of `options`, each shown as `text` of it (default itself). */
function FilterSelect<T extends string>({
  label,
  value,
  options,
  text = (o) => o,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly T[];
  text?: (option: T) => string;
  onChange: (value: T) => void;
}) {
  return (
    <label>
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {text(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AlertsPage() {
  const q = useAlerts();
  const history = useAlertHistory();
  const [state, setState] = useState<StateFilter>('all');
  const [severity, setSeverity] = useState<SeverityFilter>('all');
  const [namespace, setNamespace] = useState('');
  const [text, setText] = useState('');
  const alerts = q.data?.alerts ?? [];
  const namespaces = useMemo(() => [...new Set(alerts.map((a) => a.labels.namespace))].sort(), [alerts]);
  const counts = { firing: 0, pending: 0, resolved: 0 };
  for (const a of alerts) counts[a.state]++;
  const now = Date.now();
  return (
    <section className="page alerts-page" aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <p className="alert-counts" aria-live="polite">
        <span data-count="firing">{counts.firing} firing</span>,{' '}
        <span data-count="pending">{counts.pending} pending</span>,{' '}
        <span data-count="resolved">{counts.resolved} resolved</span> (last 15 min)
      </p>
      <fieldset className="alert-filters">
        <legend>Filters</legend>
        <FilterSelect
          label="State"
          value={state}
          options={['all', 'firing', 'pending', 'resolved'] as const}
          onChange={setState}
        />
        <FilterSelect
          label="Severity"
          value={severity}
          options={['all', 'critical', 'warning', 'info'] as const}
          onChange={setSeverity}
        />
        <FilterSelect
          label="Namespace"
          value={namespace}
          options={['', ...namespaces]}
          text={(ns) => ns || 'all'}
          onChange={setNamespace}
        />
        <label>
          Search{' '}
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="alert, workload, cluster"
          />
        </label>
      </fieldset>
      <QueryState
        query={q}
        isEmpty={(d) => d.alerts.length === 0}
        empty={<p>No alerts: every rule is quiet{q.data?.evaluatedAt ? '' : ' (not evaluated yet)'}.</p>}
      >
        {(d) => {
          const shown = filterAlerts(d.alerts, { state, severity, namespace, text });
          return shown.length === 0 ? (
            <p className="state">No alert matches the filters.</p>
          ) : (
            <table className="data alerts-table" aria-label="meshscope alerts">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Severity</th>
                  <th>Alert</th>
                  <th>Summary</th>
                  <th>Workload</th>
                  <th>Value</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((a) => (
                  <AlertRow key={a.id} a={a} now={now} />
                ))}
              </tbody>
            </table>
          );
        }}
      </QueryState>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline (last hour)</h2>
        {history.data === undefined ? (
          <p className="state">{history.isError ? 'The history could not be read.' : 'Loading…'}</p>
        ) : (
          <AlertTimeline entries={history.data.entries} now={now} />
        )}
      </section>
      {q.data?.prometheus && <PrometheusAlerts p={q.data.prometheus} />}
    </section>
  );
}
