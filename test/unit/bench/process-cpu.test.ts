import { describe, expect, it } from 'vitest';
import { parseProcStat, treeCpuTicks } from '../../../bench/proxy/process-cpu.ts';

// Shapes of real /proc/<pid>/stat lines (fields after utime/stime shortened).
const master = '1200 (nginx) S 1100 1200 1200 0 -1 4194560 140 0 0 0 3 1 0 0 20 0 1 0 500 9000000 300';
const worker = '1201 (nginx) R 1200 1200 1200 0 -1 4194624 90 0 0 0 812 390 0 0 20 0 1 0 501 9100000 400';
const oddName = '1300 (a) b (c) S 1 1300 1300 0 -1 4194304 10 0 0 0 25 5 0 0 20 0 1 0 600 1000 10';

describe('parseProcStat', () => {
  it('reads pid, ppid and utime + stime', () => {
    expect(parseProcStat(worker)).toEqual({ pid: 1201, ppid: 1200, cpuTicks: 1202 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses works', () => {
    expect(parseProcStat(oddName)).toEqual({ pid: 1300, ppid: 1, cpuTicks: 30 });
  });

  it('rejects lines that are not stat lines', () => {
    expect(() => parseProcStat('garbage')).toThrow('not a /proc/<pid>/stat line');
  });
});

describe('treeCpuTicks', () => {
  const stats = [
    parseProcStat(master),
    parseProcStat(worker),
    { pid: 1202, ppid: 1201, cpuTicks: 7 },
    { pid: 1100, ppid: 1, cpuTicks: 5000 },
    { pid: 1400, ppid: 1100, cpuTicks: 900 },
  ];

  it('sums the root and all its descendants, and nothing else', () => {
    expect(treeCpuTicks(stats, 1200)).toBe(4 + 1202 + 7);
    expect(treeCpuTicks(stats, 1201)).toBe(1209);
  });

  it('fails when the root is gone', () => {
    expect(() => treeCpuTicks(stats, 999)).toThrow('process 999 is not running');
  });
});
