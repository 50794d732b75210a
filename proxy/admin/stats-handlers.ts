// /stats (text, json, prometheus) and /stats/prometheus, plus POST /reset_counters.
import type { HistogramIntervals } from '../stats/histogram-quantiles.ts';
import { renderPrometheus } from '../stats/render-prometheus.ts';
import { renderJson, renderText } from '../stats/render-text.ts';
import { parseStatsParams } from '../stats/stats-params.ts';
import type { StatsStore } from '../stats/store.ts';
import type { AdminRequest, AdminResponse } from './admin-response.ts';
import { jsonResponse, textResponse } from './admin-response.ts';

/** GET /stats; `/stats/prometheus` passes `forcePrometheus` (it ignores `format=`). */
export function handleStats(
  store: StatsStore,
  req: AdminRequest,
  intervals: HistogramIntervals,
  forcePrometheus = false,
): AdminResponse {
  const parsed = parseStatsParams(req.query);
  if (!parsed.ok) return textResponse(parsed.error, 400);
  const p = parsed.params;
  if (forcePrometheus || p.format === 'prometheus') return textResponse(renderPrometheus(store, p));
  if (p.format === 'json') return jsonResponse(renderJson(store, p, intervals, p.pretty));
  return textResponse(renderText(store, p, intervals));
}

export function handleResetCounters(store: StatsStore): AdminResponse {
  for (const c of store.counters.values()) c.value = 0;
  return textResponse('OK\n');
}
