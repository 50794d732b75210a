// Parses the text wrk 4.x prints with `--latency`. wrk has no machine-readable output without a Lua
// script, and its summary lines have been stable since 4.0, so the text is parsed directly.

export interface WrkReport {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  /** Latency percentiles from the `Latency Distribution` block, in milliseconds. */
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
  /** Responses whose status was not 2xx/3xx. */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

const timeUnitsMs: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `740.34us`, `1.50ms`, `2.00s` → milliseconds. */
export function parseWrkDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`unrecognised wrk duration "${text}"`);
  return Number(match[1]) * timeUnitsMs[match[2]!]!;
}

function requiredMatch(output: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(output);
  if (!match) throw new Error(`wrk output has no ${what} line:\n${output}`);
  return match;
}

export function parseWrkReport(output: string): WrkReport {
  const totals = requiredMatch(output, /^\s*(\d+) requests in ([\d.]+\w+),/m, '"N requests in T"');
  const rate = requiredMatch(output, /^Requests\/sec:\s+([\d.]+)/m, '"Requests/sec:"');
  const percentile = (p: number): number =>
    parseWrkDurationMs(requiredMatch(output, new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm'), `${p}% latency`)[1]!);
  const non2xx = /^\s*Non-2xx or 3xx responses: (\d+)/m.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(totals[1]),
    durationS: parseWrkDurationMs(totals[2]!) / 1000,
    requestsPerSecond: Number(rate[1]),
    latencyMs: { p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: {
      connect: socket ? Number(socket[1]) : 0,
      read: socket ? Number(socket[2]) : 0,
      write: socket ? Number(socket[3]) : 0,
      timeout: socket ? Number(socket[4]) : 0,
    },
  };
}

/** Failed requests of any kind: bad statuses plus socket errors. */
export function wrkErrorCount(report: WrkReport): number {
  const { connect, read, write, timeout } = report.socketErrors;
  return report.non2xx + connect + read + write + timeout;
}
