// A small uPlot line over a series' history, without axes or legend: the trend at a glance, with the
// figures said in text beside it (its caption, which is what assistive technology reads). One uPlot instance per mount,
// fed new data in place so a refresh does not rebuild the canvas.
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesPoint } from '../../../shared/api/series.ts';
import { type SeriesMetric, seriesColumns, summarize } from './series-summary.ts';

export interface SparklineProps {
  label: string;
  points: readonly SeriesPoint[];
  metric: SeriesMetric;
  format: (v: number) => string;
  /** Stroke colour (a CSS colour). */
  color?: string;
  width?: number;
  height?: number;
}

export function Sparkline({
  label,
  points,
  metric,
  format,
  color = '#0066cc',
  width = 240,
  height = 40,
}: SparklineProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const columns = useMemo(() => seriesColumns(points, metric), [points, metric]);
  // The newest columns, for a plot rebuilt after a size or colour change.
  const latest = useRef(columns);
  latest.current = columns;

  useEffect(() => {
    if (!host.current) return;
    const opts: uPlot.Options = {
      width,
      height,
      cursor: { show: false },
      legend: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      axes: [{ show: false }, { show: false }],
      scales: {
        x: { time: true },
        y: {
          // From just below zero, so a flat line at 0 (no errors) still shows along the bottom.
          range: (_u, _min, max) => {
            const top = max > 0 ? max * 1.1 : 1;
            return [-top * 0.05, top];
          },
        },
      },
      series: [
        {},
        { stroke: color, width: 1.5, fill: `${color}22`, spanGaps: false, points: { show: false } },
      ],
    };
    const u = new uPlot(opts, latest.current, host.current);
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [width, height, color]);

  useEffect(() => {
    plot.current?.setData(columns);
  }, [columns]);

  const text = summarize(label, points, metric, format);
  return (
    <figure className="sparkline">
      <figcaption>{text}</figcaption>
      {/* The caption says what the chart shows; the canvas adds nothing for a screen reader. */}
      <div ref={host} aria-hidden="true" />
    </figure>
  );
}
