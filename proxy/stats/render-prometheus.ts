// /stats/prometheus exactly as Envoy prints it (server/admin/grouped_stats_request.cc and
// prometheus_stats_render.cc): counters, then gauges, then histograms; within each kind one family per
// tag-extracted name, families ordered by that dotted name (byte order), `# TYPE` once per family, the
// family's series ordered by their full stat names token by token. Untagged series print `name{} v`.
import { formatG } from './format-number.ts';
import { type StatsSelection, storeSelection } from './stats-params.ts';
import type { Counter, Gauge, Histogram, StatsStore } from './store.ts';
import { type ExtractedName, extractTags } from './tag-extraction.ts';

interface Family<T> {
  extracted: ExtractedName;
  stats: { stat: T; extracted: ExtractedName }[];
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function families<T extends { name: string }>(stats: T[]): Family<T>[] {
  const groups = new Map<string, Family<T>>();
  for (const stat of stats) {
    const extracted = extractTags(stat.name);
    const entry = { stat, extracted };
    const g = groups.get(extracted.tagExtractedName);
    if (g) g.stats.push(entry);
    else groups.set(extracted.tagExtractedName, { extracted, stats: [entry] });
  }
  const out = [...groups.values()].sort((x, y) =>
    byteOrder(x.extracted.tagExtractedName, y.extracted.tagExtractedName),
  );
  for (const f of out) f.stats.sort((x, y) => byteOrder(x.extracted.sortKey, y.extracted.sortKey));
  return out;
}

/** `PrometheusStatsFormatter::sanitizeValue`: escape backslash, double quote and newline. */
function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Envoy's `formattedTags`: `a="x",b="y"` in extraction order. */
export function formatTags(tags: readonly (readonly [string, string])[]): string {
  return tags.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
}

// Label text per extracted name, kept as long as the (memoised) extraction result lives.
const labelCache = new WeakMap<ExtractedName, string>();

function labelsOf(e: ExtractedName): string {
  let s = labelCache.get(e);
  if (s === undefined) {
    s = formatTags(e.tags);
    labelCache.set(e, s);
  }
  return s;
}

function renderScalars(out: string[], type: 'counter' | 'gauge', stats: (Counter | Gauge)[]): void {
  for (const f of families(stats)) {
    const name = f.extracted.name;
    out.push(`# TYPE ${name} ${type}\n`);
    for (const { stat, extracted } of f.stats) out.push(`${name}{${labelsOf(extracted)}} ${stat.value}\n`);
  }
}

// Bucket bounds are shared arrays (DEFAULT_BUCKETS), so their `le` texts are formatted once.
const boundTexts = new WeakMap<readonly number[], string[]>();

function leTexts(bounds: readonly number[]): string[] {
  let t = boundTexts.get(bounds);
  if (t === undefined) {
    t = bounds.map((b) => formatG(b));
    boundTexts.set(bounds, t);
  }
  return t;
}

function renderHistogram(out: string[], name: string, h: Histogram, extracted: ExtractedName): void {
  const tags = labelsOf(extracted);
  const bucketTags = tags === '' ? '' : `${tags},`;
  const le = leTexts(h.buckets);
  let cumulative = 0;
  for (let i = 0; i < le.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket{${bucketTags}le="${le[i]}"} ${cumulative}\n`);
  }
  out.push(`${name}_bucket{${bucketTags}le="+Inf"} ${h.count}\n`);
  out.push(`${name}_sum{${tags}} ${formatG(h.sum)}\n`);
  out.push(`${name}_count{${tags}} ${h.count}\n`);
}

/** The whole /stats/prometheus body for the selected stats. */
export function renderPrometheus(store: StatsStore, sel: StatsSelection = {}): string {
  const { counters, gauges, histograms } = storeSelection(store, sel);
  const out: string[] = [];
  renderScalars(out, 'counter', counters);
  renderScalars(out, 'gauge', gauges);
  for (const f of families(histograms)) {
    out.push(`# TYPE ${f.extracted.name} histogram\n`);
    for (const { stat, extracted } of f.stats) renderHistogram(out, f.extracted.name, stat, extracted);
  }
  return out.join('');
}
