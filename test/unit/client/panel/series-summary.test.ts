import { describe, expect, it } from 'vitest';
import { seriesColumns, seriesStats, summarize } from '../../../../client/src/panel/series-summary.ts';
import type { SeriesPoint } from '../../../../shared/api/series.ts';

const points: SeriesPoint[] = [
  [1_000_000, 8, 0, 12],
  [1_030_000, 12, 0.1, null],
  [1_300_000, 10, 0.05, 20],
];

describe('series summary', () => {
  it('gives uPlot columns in seconds, with unknown values as gaps', () => {
    expect(seriesColumns(points, 'rps')).toEqual([
      [1000, 1030, 1300],
      [8, 12, 10],
    ]);
    expect(seriesColumns(points, 'p95')[1]).toEqual([12, null, 20]);
    expect(seriesColumns(points, 'errorRatio')[1]).toEqual([0, 0.1, 0.05]);
  });

  it('reports last, min, max and the span, ignoring gaps', () => {
    expect(seriesStats(points, 'p95')).toEqual({ last: 20, min: 12, max: 20, spanSeconds: 300 });
  });

  it('says the trend in one sentence', () => {
    const fmt = (v: number) => `${v} rps`;
    expect(summarize('Request rate', points, 'rps', fmt)).toBe(
      'Request rate: now 10 rps; between 8 rps and 12 rps over the last 5 min.',
    );
    expect(summarize('p95', [], 'p95', fmt)).toBe('p95: no history yet.');
    expect(summarize('p95', [[0, 0, 0, null]], 'p95', fmt)).toBe('p95: now unknown; no values recorded.');
  });
});
