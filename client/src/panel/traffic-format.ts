// Figures of one Traffic (shared/api/graph.ts) as the side panel words them: rates, status classes,
// the 503 causes Envoy's stats tell apart, latency percentiles.
import type { Causes503, StatusRates, Traffic } from '../../../shared/api/graph.ts';

export function formatRps(rps: number): string {
  if (rps === 0) return '0 rps';
  if (rps < 0.1) return `${rps.toFixed(3)} rps`;
  if (rps < 100) return `${rps.toFixed(1)} rps`;
  return `${Math.round(rps).toLocaleString('en')} rps`;
}

/** A ratio 0..1 as a percentage; '–' when there is nothing to divide. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  const p = ratio * 100;
  if (p === 0) return '0 %';
  if (p < 0.1) return '<0.1 %';
  return `${p.toFixed(p < 10 ? 1 : 0)} %`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Share of requests answered with a 5xx, null without requests. */
export function errorRatio(t: Traffic): number | null {
  return t.rps > 0 ? t.status['5xx'] / t.rps : null;
}

export interface RateRow {
  key: string;
  label: string;
  rps: number;
  /** Of all requests (status classes) or of all 503s (causes); null when the whole is zero. */
  share: number | null;
}

const STATUS_CLASSES: (keyof StatusRates)[] = ['2xx', '3xx', '4xx', '5xx'];

export function statusRows(t: Traffic): RateRow[] {
  return STATUS_CLASSES.map((c) => ({
    key: c,
    label: c,
    rps: t.status[c],
    share: t.rps > 0 ? t.status[c] / t.rps : null,
  }));
}

/**
 * Envoy's response flags for each cause (UO, UH, UF), so people who read access logs recognise them;
 * the rest of the 503s were returned by the upstream itself.
 */
const CAUSES: { key: keyof Causes503; label: string }[] = [
  { key: 'overflow', label: 'Circuit-breaker overflow (UO)' },
  { key: 'noHealthyUpstream', label: 'No healthy upstream (UH)' },
  { key: 'connectFailure', label: 'Connect failure (UF)' },
  { key: 'upstream', label: 'Returned by the upstream' },
];

export function causeRows(t: Traffic): RateRow[] {
  return CAUSES.map(({ key, label }) => ({
    key,
    label,
    rps: t.causes503[key],
    share: t.rate503 > 0 ? t.causes503[key] / t.rate503 : null,
  }));
}
