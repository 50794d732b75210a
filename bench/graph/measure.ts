// Small measuring helpers of bench/graph: timings, their median and p95, and event-loop waits.
import { performance } from 'node:perf_hooks';

export const mb = (bytes: number) => bytes / 1024 / 1024;

export const round = (x: number, digits = 1) => Number(x.toFixed(digits));

export function stats(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
}

/** `fn`'s value and how long it took (ms). */
export function timed<T>(fn: () => T): [T, number] {
  const a = performance.now();
  const v = fn();
  return [v, performance.now() - a];
}

/**
 * The longest the event loop went without a turn while `work` ran: what a request arriving then waits
 * before the server reads it (Dashboard.cycle gives the loop back between graph builds).
 */
export async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  on = false;
  return Math.max(longest, performance.now() - last);
}
