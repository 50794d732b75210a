// One lane per alert over the last hour: pending in amber, firing in red, from the history.
import type { AlertHistoryEntry } from '../../../shared/api/alerts.ts';
import { alertGraphLink } from '../graph/alert-marks.ts';
import { timelineLanes } from './alert-timeline.ts';

const SPAN_MS = 60 * 60_000;
const WIDTH = 600;

export function AlertTimeline({ entries, now }: { entries: readonly AlertHistoryEntry[]; now: number }) {
  const lanes = timelineLanes(entries, now, SPAN_MS);
  if (lanes.length === 0) return <p className="state">No alert in the last hour.</p>;
  const x = (t: number) => ((t - (now - SPAN_MS)) / SPAN_MS) * WIDTH;
  return (
    <ol className="alert-timeline" aria-label="Alert timeline">
      {lanes.map((lane) => {
        const link = alertGraphLink(lane);
        return (
          <li key={lane.alertId} data-lane={lane.alertId}>
            <span className="lane-name" title={lane.summary}>
              {link ? <a href={link}>{lane.labels.alertname}</a> : lane.labels.alertname}{' '}
              <small>
                {lane.labels.namespace}/{lane.labels.workload ?? ''}
              </small>
            </span>
            <svg
              width={WIDTH}
              height="12"
              role="img"
              aria-label={`${lane.labels.alertname}: ${lane.segments.map((s) => s.state).join(', ')}`}
            >
              <rect x="0" y="5" width={WIDTH} height="2" className="lane-axis" />
              {lane.segments.map((s) => (
                <rect
                  key={`${s.state}-${s.from}`}
                  className={`segment segment-${s.state}`}
                  data-state={s.state}
                  x={x(s.from)}
                  y="1"
                  width={Math.max(2, x(s.to) - x(s.from))}
                  height="10"
                >
                  <title>{`${s.state} ${new Date(s.from).toLocaleTimeString()} – ${new Date(s.to).toLocaleTimeString()}`}</title>
                </rect>
              ))}
            </svg>
          </li>
        );
      })}
    </ol>
  );
}
