// A series (shared/api/series.ts) as sparkline columns and as the sentence that says the same thing to
// someone who cannot see the chart.
import type { SeriesPoint } from '../../../shared/api/series.ts';

export type SeriesMetric = 'rps' | 'errorRatio' | 'p95';

const COLUMN: Record<SeriesMetric, 1 | 2 | 3> = { rps: 1, errorRatio: 2, p95: 3 };

/** [seconds since epoch, values]: uPlot's x axis is in seconds. Unknown values stay null (a gap). */
export function seriesColumns(
  points: readonly SeriesPoint[],
  metric: SeriesMetric,
): [number[], (number | null)[]] {
  const c = COLUMN[metric];
  return [points.map((p) => p[0] / 1000), points.map((p) => p[c])];
}

export interface SeriesStats {
  last: number | null;
  min: number | null;
  max: number | null;
  /** Seconds from the first to the last point. */
  spanSeconds: number;
}

export function seriesStats(points: readonly SeriesPoint[], metric: SeriesMetric): SeriesStats {
  const c = COLUMN[metric];
  const values = points.map((p) => p[c]).filter((v): v is number => v !== null && Number.isFinite(v));
  const first = points[0];
  const lastPoint = points.at(-1);
  return {
    last: lastPoint === undefined ? null : lastPoint[c],
    min: values.length > 0 ? Math.min(...values) : null,
    max: values.length > 0 ? Math.max(...values) : null,
    spanSeconds: first && lastPoint ? Math.round((lastPoint[0] - first[0]) / 1000) : 0,
  };
}

function span(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** e.g. "Request rate: now 10.2 rps; between 8.1 rps and 12.0 rps over the last 5 min." */
export function summarize(
  label: string,
  points: readonly SeriesPoint[],
  metric: SeriesMetric,
  format: (v: number) => string,
): string {
  if (points.length === 0) return `${label}: no history yet.`;
  const s = seriesStats(points, metric);
  const now = s.last === null ? 'unknown' : format(s.last);
  if (s.min === null || s.max === null) return `${label}: now ${now}; no values recorded.`;
  return `${label}: now ${now}; between ${format(s.min)} and ${format(s.max)} over the last ${span(s.spanSeconds)}.`;
}
