import { describe, expect, it } from 'vitest';
import { parseWrkDurationMs, parseWrkReport, wrkErrorCount } from '../../../bench/proxy/wrk-report.ts';

// Output of `wrk -t1 -c50 -d2s --latency` (wrk debian/4.1.0) against the bench's nginx proxy.
const clean = `Running 2s test @ http://127.0.0.1:34503/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.05ms  658.44us  12.13ms   89.61%
    Req/Sec    49.43k     3.32k   53.96k    75.00%
  Latency Distribution
     50%  853.00us
     75%    1.16ms
     90%    1.75ms
     99%    3.44ms
  98538 requests in 2.00s, 17.01MB read
Requests/sec:  49182.37
Transfer/sec:      8.49MB
`;

const withErrors = `Running 10s test @ http://127.0.0.1:8080/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   120.00ms  300.00ms    2.00s    90.00%
    Req/Sec     1.00k   200.00     1.50k    70.00%
  Latency Distribution
     50%   10.00ms
     75%   50.00ms
     90%  400.00ms
     99%    1.90s
  9876 requests in 1.00m, 1.20MB read
  Socket errors: connect 3, read 7, write 0, timeout 12
  Non-2xx or 3xx responses: 42
Requests/sec:    164.60
Transfer/sec:     20.48KB
`;

describe('parseWrkReport', () => {
  it('reads totals, rate and the latency distribution of a clean run', () => {
    expect(parseWrkReport(clean)).toEqual({
      requests: 98538,
      durationS: 2,
      requestsPerSecond: 49182.37,
      latencyMs: { p50: 0.853, p75: 1.16, p90: 1.75, p99: 3.44 },
      non2xx: 0,
      socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 },
    });
    expect(wrkErrorCount(parseWrkReport(clean))).toBe(0);
  });

  it('reads socket errors, bad statuses and second/minute units', () => {
    const report = parseWrkReport(withErrors);
    expect(report.durationS).toBe(60);
    expect(report.latencyMs.p99).toBe(1900);
    expect(report.non2xx).toBe(42);
    expect(report.socketErrors).toEqual({ connect: 3, read: 7, write: 0, timeout: 12 });
    expect(wrkErrorCount(report)).toBe(64);
  });

  it('refuses output without a latency distribution (wrk run without --latency)', () => {
    const withoutLatency = clean.replace(/ {2}Latency Distribution[\s\S]*?99%.*\n/, '');
    expect(() => parseWrkReport(withoutLatency)).toThrow('50% latency');
  });

  it('refuses output that is not a wrk report', () => {
    expect(() => parseWrkReport('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      'requests in',
    );
  });
});

describe('parseWrkDurationMs', () => {
  it('converts every unit wrk prints', () => {
    expect(parseWrkDurationMs('500.00us')).toBeCloseTo(0.5);
    expect(parseWrkDurationMs('3.44ms')).toBe(3.44);
    expect(parseWrkDurationMs('2.00s')).toBe(2000);
    expect(parseWrkDurationMs('1.00m')).toBe(60_000);
    expect(() => parseWrkDurationMs('fast')).toThrow('unrecognised');
  });
});
