// Per-second rates of the policy counters (retries, retry overflows, timeouts per cluster; injected
// faults per HTTP connection manager) over a window, from the recent scrapes of each target.
// These counters are few and usually absent (`usedonly` leaves out counters never incremented), so
// instead of a CounterSeries per cluster (metrics-store.ts) each target keeps its last scrapes'
// readings, only once it has reported one, for `spanMs` (the store's fine span: twice the default
// window). A counter missing from a reading is 0 (never incremented); one that went down was reset
// (the proxy restarted), so its new value is the increase.
import type {
  ClusterPolicyFigures,
  FaultFigures,
  PolicyCounters,
  PolicyFigures,
} from '../model/policy-config.ts';

interface Reading {
  at: number;
  counters: PolicyCounters;
}

export class PolicyRates {
  private readonly spanMs: number;
  private readonly readings = new Map<string, Reading[]>();

  constructor(spanMs: number) {
    this.spanMs = spanMs;
  }

  ingest(targetId: string, at: number, counters: PolicyCounters | undefined): void {
    let list = this.readings.get(targetId);
    const empty = counters === undefined || (counters.clusters.size === 0 && counters.faults.size === 0);
    if (list === undefined) {
      if (empty) return;
      list = [];
      this.readings.set(targetId, list);
    }
    const last = list[list.length - 1];
    if (last !== undefined && at <= last.at) return;
    list.push({ at, counters: counters ?? { clusters: new Map(), faults: new Map() } });
    let drop = 0;
    while (drop < list.length - 1 && list[drop]!.at < at - this.spanMs) drop++;
    if (drop > 0) list.splice(0, drop);
  }

  forget(targetId: string): void {
    this.readings.delete(targetId);
  }

  /** Rates over the readings within `[endMs − windowMs, endMs]`; undefined with fewer than two. */
  figures(targetId: string, endMs: number, windowMs: number): PolicyFigures | undefined {
    const list = this.readings.get(targetId);
    if (list === undefined) return undefined;
    const inside = list.filter((r) => r.at <= endMs && r.at >= endMs - windowMs);
    if (inside.length < 2) return undefined;
    const seconds = (inside[inside.length - 1]!.at - inside[0]!.at) / 1000;
    const clusters = new Map<string, ClusterPolicyFigures>();
    const faults = new Map<string, FaultFigures>();
    for (let i = 1; i < inside.length; i++) {
      const prev = inside[i - 1]!.counters;
      const cur = inside[i]!.counters;
      for (const [name, c] of cur.clusters) {
        const p = prev.clusters.get(name);
        let f = clusters.get(name);
        if (f === undefined) {
          f = { retryRps: 0, retryOverflowRps: 0, timeoutRps: 0 };
          clusters.set(name, f);
        }
        f.retryRps += increase(p?.upstream_rq_retry, c.upstream_rq_retry);
        f.retryOverflowRps += increase(p?.upstream_rq_retry_overflow, c.upstream_rq_retry_overflow);
        f.timeoutRps += increase(p?.upstream_rq_timeout, c.upstream_rq_timeout);
      }
      for (const [prefix, c] of cur.faults) {
        const p = prev.faults.get(prefix);
        let f = faults.get(prefix);
        if (f === undefined) {
          f = { abortsRps: 0, delaysRps: 0 };
          faults.set(prefix, f);
        }
        f.abortsRps += increase(p?.aborts, c.aborts);
        f.delaysRps += increase(p?.delays, c.delays);
      }
    }
    for (const f of clusters.values()) {
      f.retryRps /= seconds;
      f.retryOverflowRps /= seconds;
      f.timeoutRps /= seconds;
    }
    for (const f of faults.values()) {
      f.abortsRps /= seconds;
      f.delaysRps /= seconds;
    }
    return { clusters, faults };
  }
}

function increase(prev: number | undefined, cur: number): number {
  const p = prev ?? 0;
  return cur >= p ? cur - p : cur;
}
