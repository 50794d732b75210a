// How figures read on the graph and in its controls: short, fixed units, no trailing noise.
import type { EdgeWeight, Traffic } from '../../../shared/api/graph.ts';

export function formatRps(rps: number): string {
  if (rps === 0) return '0 rps';
  // Thresholds on the rounded value, so 9.999 reads "10.0 rps", not "10.00 rps".
  if (rps >= 99.95) return `${Math.round(rps)} rps`;
  if (rps >= 9.995) return `${rps.toFixed(1)} rps`;
  return `${rps.toFixed(2)} rps`;
}

export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return '0 %';
  if (p >= 10 || Number.isInteger(p)) return `${Math.round(p)} %`;
  return `${p.toFixed(1)} %`;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Share of requests in `part`, 0 when there were none (an idle edge has no error rate). */
export function ratio(part: number, traffic: Traffic): number {
  return traffic.rps > 0 ? part / traffic.rps : 0;
}

/** "observed / configured", e.g. `53 % / 50 %`; `–` for an idle route's observed share. */
export function formatShare(w: EdgeWeight): string {
  return `${w.observed === null ? '–' : formatPercent(w.observed)} / ${formatPercent(w.configured)}`;
}

export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 120) return `${seconds / 60} min`;
  return `${seconds} s`;
}
