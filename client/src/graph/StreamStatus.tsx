// "live / reconnecting / paused", and how old the data on screen is. Ticks once a second, in this
// small component only, so the graph itself never re-renders for the clock.
import { useEffect, useState } from 'react';
import type { GraphEvents } from '../api/graph-client.ts';

const TEXT: Record<GraphEvents['state'], string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting',
  paused: 'paused',
  off: 'not subscribed',
};

/** Older than this, the figures on screen no longer describe the mesh now: say so. */
const STALE_AFTER_MS = 30_000;

function seconds(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  return s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

export function StreamStatus({ events, dataAt }: { events: GraphEvents; dataAt: number | undefined }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const retry =
    events.state === 'reconnecting' && events.retryAt !== undefined ? events.retryAt - now : undefined;
  return (
    <div className={`stream-status stream-${events.state}`} data-stream={events.state}>
      <span className="dot" aria-hidden="true" />
      {/* Announced when the state changes; the ticking parts below are not. */}
      <span role="status">Updates: {TEXT[events.state]}</span>
      {retry !== undefined && retry > 0 && <span> (next try in {seconds(retry)})</span>}
      {/* An empty mesh's graph carries timestamp 0: no data, so no age. */}
      {dataAt !== undefined && dataAt > 0 && (
        <span className={now - dataAt > STALE_AFTER_MS ? 'age age-stale' : 'age'}>
          {' '}
          · data from {seconds(now - dataAt)} ago{now - dataAt > STALE_AFTER_MS ? ' (stale)' : ''}
        </span>
      )}
    </div>
  );
}
