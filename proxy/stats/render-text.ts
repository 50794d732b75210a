// /stats as text and as `?format=json` (server/admin/stats_render.cc, ungrouped_stats_request.cc):
// counters and gauges together ordered by name, then histograms ordered by name. A histogram prints
// Envoy's quantile summary `P0(interval,cumulative) P25(...) ...`, or `No recorded values` if unused.
import { formatShortest } from './format-number.ts';
import { type HistogramIntervals, histogramQuantiles, SUPPORTED_QUANTILES } from './histogram-quantiles.ts';
import { type StatsSelection, storeSelection } from './stats-params.ts';
import type { Histogram, StatsStore } from './store.ts';

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Counters and gauges merged by name; like Envoy's `std::map::emplace`, the counter wins a clash. */
function scalars(store: StatsStore, sel: StatsSelection): { name: string; value: number }[] {
  const { counters, gauges } = storeSelection(store, sel);
  const seen = new Map<string, number>();
  for (const s of [...counters, ...gauges]) if (!seen.has(s.name)) seen.set(s.name, s.value);
  return [...seen].map(([name, value]) => ({ name, value })).sort(byName);
}

function percentLabel(q: number): string {
  // fmt `{:g}` of 100*q: 0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100 (rounded to hide float noise).
  return formatShortest(Math.round(q * 100 * 1e6) / 1e6);
}

/** Envoy's `ParentHistogramImpl::quantileSummary`. */
export function quantileSummary(h: Histogram, intervals?: HistogramIntervals, now?: number): string {
  if (!h.used) return 'No recorded values';
  return histogramQuantiles(h, intervals, now)
    .map(
      (p, i) =>
        `P${percentLabel(SUPPORTED_QUANTILES[i]!)}(${formatShortest(p.interval)},${formatShortest(p.cumulative)})`,
    )
    .join(' ');
}

/** The plain-text /stats body. */
export function renderText(
  store: StatsStore,
  sel: StatsSelection = {},
  intervals?: HistogramIntervals,
): string {
  const out: string[] = [];
  for (const s of scalars(store, sel)) out.push(`${s.name}: ${s.value}\n`);
  const now = Date.now();
  for (const h of storeSelection(store, sel).histograms.sort(byName)) {
    out.push(`${h.name}: ${quantileSummary(h, intervals, now)}\n`);
  }
  return out.join('');
}

function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The `/stats?format=json` body: `{"stats":[{name,value}..., {"histograms":{...}}]}`. */
export function renderJson(
  store: StatsStore,
  sel: StatsSelection = {},
  intervals?: HistogramIntervals,
  pretty = false,
): string {
  const stats: unknown[] = scalars(store, sel);
  const histograms = storeSelection(store, sel).histograms.sort(byName);
  if (histograms.length > 0) {
    const now = Date.now();
    stats.push({
      histograms: {
        supported_quantiles: SUPPORTED_QUANTILES.map((q) => Number(percentLabel(q))),
        computed_quantiles: histograms.map((h) => ({
          name: h.name,
          values: histogramQuantiles(h, intervals, now).map((p) => ({
            cumulative: jsonNumber(p.cumulative),
            interval: jsonNumber(p.interval),
          })),
        })),
      },
    });
  }
  return JSON.stringify({ stats }, null, pretty ? 1 : undefined);
}
