// Query parameters shared by /stats and /stats/prometheus (Envoy's `StatsParams::parse`).
import type { StatsStore } from './store.ts';

export type StatsFormat = 'text' | 'json' | 'prometheus';

export interface StatsSelection {
  /** `usedonly`: only stats that have been written at least once. */
  usedOnly?: boolean;
  /** `filter`: a regex searched (not fully matched) in the full dotted stat name. */
  filter?: RegExp;
}

export interface StatsParams extends StatsSelection {
  format: StatsFormat;
  /** `pretty`: indent JSON output. */
  pretty: boolean;
}

export type StatsParamsResult = { ok: true; params: StatsParams } | { ok: false; error: string };

/** Parses the query; errors carry Envoy's message for a 400 response. */
export function parseStatsParams(
  query: URLSearchParams,
  defaultFormat: StatsFormat = 'text',
): StatsParamsResult {
  const params: StatsParams = {
    format: defaultFormat,
    usedOnly: query.has('usedonly'),
    pretty: query.has('pretty'),
  };
  const filter = query.get('filter');
  if (filter !== null) {
    try {
      params.filter = new RegExp(filter);
    } catch {
      return { ok: false, error: 'Invalid re2 regex' };
    }
  }
  const format = query.get('format');
  if (format !== null) {
    if (format === 'text' || format === 'json' || format === 'prometheus') params.format = format;
    else if (format === 'html' || format === 'active-html') {
      // What an Envoy built with `--define=admin_html=disabled` answers; we have no HTML stats page.
      return { ok: false, error: 'HTML output was disabled by building with --define=admin_html=disabled' };
    } else return { ok: false, error: 'usage: /stats?format=(html|active-html|json|prometheus|text)\n\n' };
  }
  return { ok: true, params };
}

/** Whether one stat passes `usedonly` and `filter`. */
export function isSelected(stat: { name: string; used: boolean }, sel: StatsSelection): boolean {
  if (sel.usedOnly && !stat.used) return false;
  return sel.filter === undefined || sel.filter.test(stat.name);
}

/** The selected stats of one kind, unordered. */
export function selectStats<T extends { name: string; used: boolean }>(
  stats: Iterable<T>,
  sel: StatsSelection,
): T[] {
  const out: T[] = [];
  for (const s of stats) if (isSelected(s, sel)) out.push(s);
  return out;
}

/** Convenience for callers that hold a store. */
export function storeSelection(store: StatsStore, sel: StatsSelection) {
  return {
    counters: selectStats(store.counters.values(), sel),
    gauges: selectStats(store.gauges.values(), sel),
    histograms: selectStats(store.histograms.values(), sel),
  };
}
