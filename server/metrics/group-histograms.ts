// Assembles the flat `_bucket` / `_sum` / `_count` samples of histogram families into one object per
// series. Series are told apart by all their labels except `le`, wherever `le` stands among them, so
// every cluster of an Envoy histogram keeps its own buckets (the bug NOTES.md records in
// parse-prometheus-text-format, which kept only the last cluster's).

import type { Labels, MetricFamily, ParsedExposition } from './prom-exposition.ts';
import { parsePromFloat } from './prom-number.ts';

export interface HistogramSeries {
  /** The family name (without `_bucket`). */
  readonly family: string;
  /** The series' labels without `le`. */
  readonly labels: Labels;
  /** `[le, cumulative count]`, ascending by `le`; Envoy ends with `[Infinity, count]`. */
  readonly buckets: [le: number, cumulativeCount: number][];
  /** From `_sum`; NaN when the exporter wrote none. */
  readonly sum: number;
  /** From `_count`, else the `+Inf` bucket; NaN when neither was written. */
  readonly count: number;
}

interface Builder {
  family: string;
  labels: Labels;
  buckets: [number, number][];
  sum: number;
  count: number;
}

/**
 * Every histogram series of a parsed scrape (all its histogram families, in source order), or of one
 * family. Non-histogram families yield nothing.
 */
export function groupHistograms(source: ParsedExposition | MetricFamily): HistogramSeries[] {
  const families = 'families' in source ? [...source.families.values()] : [source];
  const out: HistogramSeries[] = [];
  for (const family of families) {
    if (family.type === 'histogram') groupFamily(family, out);
  }
  return out;
}

function groupFamily(family: MetricFamily, out: HistogramSeries[]): void {
  const bySeries = new Map<string, Builder>();
  const bucketName = `${family.name}_bucket`;
  const sumName = `${family.name}_sum`;
  let series: Builder | undefined;
  let seriesLabelCount = 0;
  for (const sample of family.samples) {
    const isBucket = sample.name === bucketName;
    // Exporters write a series' buckets, sum and count together, so the previous sample's series is
    // nearly always the right one; only a change of series pays for the canonical key.
    if (series === undefined || !sameSeries(sample.labels, series.labels, seriesLabelCount)) {
      const key = seriesKeyWithoutLe(sample.labels);
      series = bySeries.get(key);
      if (series === undefined) {
        series = { family: family.name, labels: withoutLe(sample.labels), buckets: [], sum: NaN, count: NaN };
        bySeries.set(key, series);
      }
      seriesLabelCount = Object.keys(series.labels).length;
    }
    if (isBucket) {
      // The parser has already rejected buckets whose `le` is missing or not a number.
      const le = sample.labels['le']!;
      series.buckets.push([parsePromFloat(le, 0, le.length)!, sample.value]);
    } else if (sample.name === sumName) {
      series.sum = sample.value;
    } else {
      series.count = sample.value;
    }
  }
  for (const series of bySeries.values()) {
    const buckets = series.buckets;
    buckets.sort((a, b) => a[0] - b[0]);
    const last = buckets[buckets.length - 1];
    if (Number.isNaN(series.count) && last !== undefined && last[0] === Number.POSITIVE_INFINITY) {
      series.count = last[1];
    }
    out.push(series);
  }
}

function sameSeries(labels: Labels, seriesLabels: Labels, seriesLabelCount: number): boolean {
  let n = 0;
  for (const name in labels) {
    if (name === 'le') continue;
    if (seriesLabels[name] !== labels[name]) return false;
    n++;
  }
  return n === seriesLabelCount;
}

// Canonical: sorted names, so the key does not depend on where an exporter put `le` or the other labels.
function seriesKeyWithoutLe(labels: Labels): string {
  const names = Object.keys(labels).sort();
  const parts: string[] = [];
  for (const name of names) if (name !== 'le') parts.push(name, labels[name]!);
  return JSON.stringify(parts);
}

function withoutLe(labels: Labels): Labels {
  if (labels['le'] === undefined) return labels;
  const copy: Record<string, string> = {};
  for (const name of Object.keys(labels)) if (name !== 'le') copy[name] = labels[name]!;
  return copy;
}
