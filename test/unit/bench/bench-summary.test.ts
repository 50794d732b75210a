import { describe, expect, it } from 'vitest';
import type { TargetName } from '../../../bench/proxy/bench-args.ts';
import { formatSummaryTable, median, type RunResult, summarize } from '../../../bench/proxy/bench-summary.ts';

function run(
  target: TargetName,
  round: number,
  rps: number,
  p99Ms: number,
  cpu: number,
  errors = 0,
): RunResult {
  return {
    target,
    round,
    requests: rps * 10,
    requestsPerSecond: rps,
    p99Ms,
    cpuMsPer1kRequests: cpu,
    errors,
  };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('summarize', () => {
  // Round 1 is a slow phase of the machine for both targets: per-round ratios cancel it out.
  const results = [
    run('nginx', 0, 60_000, 2, 10),
    run('meshscope', 0, 30_000, 4, 20),
    run('origin', 0, 150_000, 1, 5),
    run('nginx', 1, 30_000, 4, 20),
    run('meshscope', 1, 15_000, 8, 40, 3),
    run('origin', 1, 90_000, 1, 5),
    run('nginx', 2, 50_000, 2, 12),
    run('meshscope', 2, 25_000, 5, 24),
    run('origin', 2, 120_000, 1, 5),
  ];
  const summary = summarize(results, ['origin', 'nginx', 'meshscope']);

  it('reports medians per target and sums errors', () => {
    expect(summary.targets.nginx).toMatchObject({
      requestsPerSecond: 50_000,
      p99Ms: 2,
      cpuMsPer1kRequests: 12,
      errors: 0,
    });
    expect(summary.targets.meshscope).toMatchObject({
      requestsPerSecond: 25_000,
      p99Ms: 5,
      cpuMsPer1kRequests: 24,
    });
    expect(summary.targets.meshscope?.errors).toBe(3);
    expect(summary.targets.meshscope?.runs).toHaveLength(3);
  });

  it('takes ratios against nginx round by round, then the median', () => {
    expect(summary.ratiosVsNginx.meshscope).toEqual({
      requestsPerSecond: 0.5,
      p99: 2,
      cpuPerRequest: 2,
      requestsPerCpuSecond: 0.5,
    });
    // origin / nginx per round: 2.5, 3, 2.4.
    expect(summary.originHeadroomVsNginx).toBe(2.5);
    expect(summary.ratiosVsNginx.origin).toBeUndefined();
  });

  it('has no ratios when nginx did not run', () => {
    const alone = summarize([run('nodehttp', 0, 1000, 1, 1)], ['nodehttp']);
    expect(alone.ratiosVsNginx).toEqual({});
    expect(alone.originHeadroomVsNginx).toBeUndefined();
  });

  it('prints one aligned row per target', () => {
    const lines = formatSummaryTable(summary, ['origin', 'nginx', 'meshscope']).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^target\s+req\/s\s+p99 ms/);
    expect(lines[2]).toMatch(/^origin\s+120000\s+1\.00\s+5\.00\s+0\s+2\.50\s+-\s+-$/);
    expect(lines[4]).toMatch(/^meshscope\s+25000\s+5\.00\s+24\.00\s+3\s+0\.50\s+2\.00\s+2\.00$/);
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });
});

describe('summarize: the policies variant against the plain configuration', () => {
  it('takes meshscope-policies / meshscope round by round, then the median', () => {
    const summary = summarize(
      [
        run('meshscope', 0, 40_000, 3, 25),
        run('meshscope-policies', 0, 36_000, 3.3, 27.5),
        run('meshscope', 1, 20_000, 6, 50), // a slow phase hits both
        run('meshscope-policies', 1, 19_000, 6, 52.5),
        run('meshscope', 2, 38_000, 3, 26),
        run('meshscope-policies', 2, 34_200, 3, 28.6),
      ],
      ['meshscope', 'meshscope-policies'],
    );
    expect(summary.policiesVsPlain?.requestsPerSecond).toBeCloseTo(0.9, 6);
    expect(summary.policiesVsPlain?.cpuPerRequest).toBeCloseTo(1.1, 6);
    expect(summary.policiesVsPlain?.p99).toBeCloseTo(1, 6);
  });

  it('is absent without both targets', () => {
    expect(summarize([run('meshscope', 0, 1, 1, 1)], ['meshscope']).policiesVsPlain).toBeUndefined();
  });
});
