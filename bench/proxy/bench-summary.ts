// Turns per-run measurements into the report: medians per target, ratios against nginx taken round by
// round (each pair ran back to back, so slow phases of a shared machine hit both) and then the median.
import type { TargetName } from './bench-args.ts';

export interface RunResult {
  target: TargetName;
  round: number;
  requests: number;
  requestsPerSecond: number;
  p99Ms: number;
  /** CPU time of the target's process tree per 1,000 requests served. */
  cpuMsPer1kRequests: number;
  errors: number;
}

export interface TargetSummary {
  requestsPerSecond: number;
  p99Ms: number;
  cpuMsPer1kRequests: number;
  errors: number;
  runs: RunResult[];
}

/** target / nginx. cpuPerRequest above 1 means more CPU per request than nginx. */
export interface RatiosVsNginx {
  requestsPerSecond: number;
  p99: number;
  cpuPerRequest: number;
  /** nginx cpu / target cpu: the "req per CPU-s vs nginx" of NOTES.md. */
  requestsPerCpuSecond: number;
}

export interface BenchSummary {
  targets: Partial<Record<TargetName, TargetSummary>>;
  ratiosVsNginx: Partial<Record<TargetName, RatiosVsNginx>>;
  /** origin hit directly / nginx proxying to it: how far the origin is from being the bottleneck. */
  originHeadroomVsNginx?: number;
  /**
   * meshscope-policies / meshscope, round by round then the median (issue 6: circuit breakers, retries
   * and the access log must keep the hot path within 15 % of the plain configuration).
   */
  policiesVsPlain?: { requestsPerSecond: number; p99: number; cpuPerRequest: number };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianRatio(
  runs: readonly RunResult[],
  references: ReadonlyMap<number, RunResult>,
  ratio: (run: RunResult, reference: RunResult) => number,
): number {
  const ratios: number[] = [];
  for (const run of runs) {
    const reference = references.get(run.round);
    if (reference) ratios.push(ratio(run, reference));
  }
  return median(ratios);
}

export function summarize(results: readonly RunResult[], targets: readonly TargetName[]): BenchSummary {
  const summary: BenchSummary = { targets: {}, ratiosVsNginx: {} };
  for (const target of targets) {
    const runs = results.filter((result) => result.target === target);
    summary.targets[target] = {
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p99Ms: median(runs.map((run) => run.p99Ms)),
      cpuMsPer1kRequests: median(runs.map((run) => run.cpuMsPer1kRequests)),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      runs,
    };
  }
  const plainByRound = new Map(results.filter((r) => r.target === 'meshscope').map((r) => [r.round, r]));
  const policyRuns = summary.targets['meshscope-policies']?.runs ?? [];
  if (plainByRound.size > 0 && policyRuns.length > 0) {
    summary.policiesVsPlain = {
      requestsPerSecond: medianRatio(
        policyRuns,
        plainByRound,
        (r, m) => r.requestsPerSecond / m.requestsPerSecond,
      ),
      p99: medianRatio(policyRuns, plainByRound, (r, m) => r.p99Ms / m.p99Ms),
      cpuPerRequest: medianRatio(
        policyRuns,
        plainByRound,
        (r, m) => r.cpuMsPer1kRequests / m.cpuMsPer1kRequests,
      ),
    };
  }
  const nginxByRound = new Map(results.filter((r) => r.target === 'nginx').map((r) => [r.round, r]));
  if (nginxByRound.size === 0) return summary;
  for (const target of targets) {
    const runs = summary.targets[target]?.runs ?? [];
    if (target === 'nginx' || runs.length === 0) continue;
    if (target === 'origin') {
      summary.originHeadroomVsNginx = medianRatio(
        runs,
        nginxByRound,
        (r, n) => r.requestsPerSecond / n.requestsPerSecond,
      );
      continue;
    }
    summary.ratiosVsNginx[target] = {
      requestsPerSecond: medianRatio(runs, nginxByRound, (r, n) => r.requestsPerSecond / n.requestsPerSecond),
      p99: medianRatio(runs, nginxByRound, (r, n) => r.p99Ms / n.p99Ms),
      cpuPerRequest: medianRatio(runs, nginxByRound, (r, n) => r.cpuMsPer1kRequests / n.cpuMsPer1kRequests),
      requestsPerCpuSecond: medianRatio(
        runs,
        nginxByRound,
        (r, n) => n.cpuMsPer1kRequests / r.cpuMsPer1kRequests,
      ),
    };
  }
  return summary;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

/** A plain-text table, one line per target, medians over rounds. */
export function formatSummaryTable(summary: BenchSummary, targets: readonly TargetName[]): string {
  const header = [
    'target',
    'req/s',
    'p99 ms',
    'CPU ms/1k req',
    'errors',
    'req/s ÷ nginx',
    'p99 ÷ nginx',
    'CPU/req ÷ nginx',
  ];
  const rows = targets.map((target) => {
    const t = summary.targets[target];
    const ratio = summary.ratiosVsNginx[target];
    const isNginx = target === 'nginx' && t !== undefined;
    return [
      target,
      fixed(t?.requestsPerSecond, 0),
      fixed(t?.p99Ms, 2),
      fixed(t?.cpuMsPer1kRequests, 2),
      String(t?.errors ?? '-'),
      isNginx
        ? '1'
        : target === 'origin'
          ? fixed(summary.originHeadroomVsNginx, 2)
          : fixed(ratio?.requestsPerSecond, 2),
      isNginx ? '1' : fixed(ratio?.p99, 2),
      isNginx ? '1' : fixed(ratio?.cpuPerRequest, 2),
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
