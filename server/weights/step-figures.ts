// Pure: a guarded shift step's figures from the sidecars' cumulative cluster counters
// (`cluster.<name>.upstream_rq_total`, `upstream_rq_503`, `upstream_rq_5xx`, the `upstream_rq_time`
// histogram): the counters read when the step's window began, subtracted from the latest, summed over
// the replicas and over the clusters of one side (the canary, or the baseline). Counting since the
// step began, not over the dashboard's rate window, means a step is judged on its own traffic only.
// Cluster stats are per cluster, not per route: a cluster other routes use too counts their requests.
import type { StepFigures } from '../../shared/api/guarded-shift.ts';
import { histogramQuantile } from '../metrics/histogram-quantile.ts';
import type { ClusterCounters } from '../model/sidecar-data.ts';

/** Counters per replica (sidecar id), then per cluster. */
export type CounterSnapshot = Map<string, Map<string, ClusterCounters>>;

/** Adds to `into` every (replica, cluster) it lacks from `latest`: their window starts now. */
export function extendSnapshot(into: CounterSnapshot, latest: CounterSnapshot): void {
  for (const [replica, clusters] of latest) {
    let mine = into.get(replica);
    if (mine === undefined) {
      mine = new Map();
      into.set(replica, mine);
    }
    for (const [name, c] of clusters) if (!mine.has(name)) mine.set(name, c);
  }
}

interface Acc {
  requests: number;
  errors503: number;
  errors5xx: number;
  le: number[] | undefined;
  buckets: Float64Array | undefined;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function addDelta(acc: Acc, from: ClusterCounters, to: ClusterCounters): void {
  // A counter that went down means the sidecar restarted: everything it counted since is new.
  const reset = to.upstream_rq_total < from.upstream_rq_total;
  const base = reset ? undefined : from;
  acc.requests += to.upstream_rq_total - (base?.upstream_rq_total ?? 0);
  acc.errors503 += Math.max(0, to.upstream_rq_503 - (base?.upstream_rq_503 ?? 0));
  acc.errors5xx += Math.max(0, to.upstream_rq_xx[4] - (base?.upstream_rq_xx[4] ?? 0));
  const h = to.rqTime;
  if (h === undefined) return;
  const h0 = base?.rqTime;
  if (h0 !== undefined && !sameBounds(h0.le, h.le)) return;
  if (acc.le === undefined) {
    acc.le = h.le;
    acc.buckets = new Float64Array(h.le.length);
  } else if (!sameBounds(acc.le, h.le)) return;
  for (let i = 0; i < h.le.length; i++) acc.buckets![i]! += Math.max(0, h.counts[i]! - (h0?.counts[i] ?? 0));
}

/** The figures of `clusters` between two snapshots; pairs missing from either are left out. */
export function stepFigures(
  start: CounterSnapshot,
  latest: CounterSnapshot,
  clusters: readonly string[],
): StepFigures {
  const acc: Acc = { requests: 0, errors503: 0, errors5xx: 0, le: undefined, buckets: undefined };
  for (const [replica, now] of latest) {
    const then = start.get(replica);
    if (then === undefined) continue;
    for (const name of clusters) {
      const a = then.get(name);
      const b = now.get(name);
      if (a !== undefined && b !== undefined) addDelta(acc, a, b);
    }
  }
  let p99Ms: number | null = null;
  if (acc.le !== undefined && acc.buckets !== undefined) {
    const q = histogramQuantile(0.99, acc.le, acc.buckets);
    p99Ms = Number.isFinite(q) ? q : null;
  }
  return {
    requests: Math.max(0, acc.requests),
    errors503: acc.errors503,
    errors5xx: acc.errors5xx,
    p99Ms,
  };
}
