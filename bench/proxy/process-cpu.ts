// CPU time of a process tree from /proc (proc(5)): utime (field 14) + stime (field 15) of /proc/<pid>/stat,
// in clock ticks. The tree is summed so that nginx counts as master + worker (the master is idle while
// serving) and a proxy that forks helpers would be charged for them too.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
}

/** Parses one /proc/<pid>/stat line. The command name may contain spaces and parentheses, so fields are
 * counted from the last `)`. */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(')');
  const pid = Number.parseInt(line, 10);
  if (close < 0 || Number.isNaN(pid)) throw new Error(`not a /proc/<pid>/stat line: ${line}`);
  // After ") ": field 3 (state) is index 0, so field N is index N - 3.
  const fields = line.slice(close + 2).split(' ');
  const ppid = Number(fields[4 - 3]);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if ([ppid, utime, stime].some(Number.isNaN)) throw new Error(`malformed /proc/<pid>/stat line: ${line}`);
  return { pid, ppid, cpuTicks: utime + stime };
}

/** Sum of cpuTicks over `root` and all its descendants among `stats`. */
export function treeCpuTicks(stats: readonly ProcStat[], root: number): number {
  const childrenOf = new Map<number, ProcStat[]>();
  for (const stat of stats) {
    const siblings = childrenOf.get(stat.ppid) ?? [];
    siblings.push(stat);
    childrenOf.set(stat.ppid, siblings);
  }
  const rootStat = stats.find((stat) => stat.pid === root);
  if (!rootStat) throw new Error(`process ${root} is not running`);
  let total = 0;
  const pending = [rootStat];
  for (let stat = pending.pop(); stat; stat = pending.pop()) {
    total += stat.cpuTicks;
    pending.push(...(childrenOf.get(stat.pid) ?? []));
  }
  return total;
}

function readAllProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // The process ended between readdir and read.
    }
  }
  return stats;
}

let ticksPerSecond: number | undefined;

/** sysconf(_SC_CLK_TCK); 100 on every Linux we run on, asked once rather than assumed. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU milliseconds used so far by `pid` and its live descendants. */
export function processTreeCpuMs(pid: number): number {
  return (treeCpuTicks(readAllProcStats(), pid) * 1000) / clockTicksPerSecond();
}
