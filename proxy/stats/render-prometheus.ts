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
  stats: T[];
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Envoy's `SymbolTable::lessThan`: compare dot-separated tokens one by one, then by token count. */
export function compareTokenwise(a: string, b: string): number {
  const ta = a.split('.');
  const tb = b.split('.');
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const c = byteOrder(ta[i]!, tb[i]!);
    if (c !== 0) return c;
  }
  return ta.length - tb.length;
}

function families<T extends { name: string }>(stats: T[]): Family<T>[] {
  const groups = new Map<string, Family<T>>();
  for (const s of stats) {
    const extracted = extractTags(s.name);
    const g = groups.get(extracted.tagExtractedName);
    if (g) g.stats.push(s);
    else groups.set(extracted.tagExtractedName, { extracted, stats: [s] });
  }
  const out = [...groups.values()].sort((x, y) =>
    byteOrder(x.extracted.tagExtractedName, y.extracted.tagExtractedName),
  );
  for (const f of out) f.stats.sort((x, y) => compareTokenwise(x.name, y.name));
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

function renderScalars(out: string[], type: 'counter' | 'gauge', stats: (Counter | Gauge)[]): void {
  for (const f of families(stats)) {
    const name = f.extracted.name;
    out.push(`# TYPE ${name} ${type}\n`);
    for (const s of f.stats) out.push(`${name}{${formatTags(extractTags(s.name).tags)}} ${s.value}\n`);
  }
}

function renderHistogram(out: string[], name: string, h: Histogram): void {
  const tags = formatTags(extractTags(h.name).tags);
  const bucketTags = tags === '' ? '' : `${tags},`;
  let cumulative = 0;
  for (let i = 0; i < h.buckets.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket{${bucketTags}le="${formatG(h.buckets[i]!)}"} ${cumulative}\n`);
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
    for (const h of f.stats) renderHistogram(out, f.extracted.name, h);
  }
  return out.join('');
}
