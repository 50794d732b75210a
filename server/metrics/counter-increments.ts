// How much counters grew between two readings of one series, with sidecar restarts handled. Envoy's
// counters only go up while the process lives; a counter that went down means a restart (or a hot
// restart that did not carry stats over), and the new reading is then the whole increase since the
// reset (Prometheus' `rate` does the same per series). The decision is made for all counters of a
// series together: after a restart every counter starts again from 0, so one that went down is proof
// enough for all, including one that already climbed past its old value (treating that one alone
// would undercount it).

/**
 * Increments from `prev` to `cur` (same length) written to `out`. Without `prev` (the first reading)
 * every increment is 0: the first reading is only a baseline. Returns true when a reset was seen.
 */
export function vectorIncrements(
  prev: ArrayLike<number> | undefined,
  cur: ArrayLike<number>,
  out: Float64Array,
): boolean {
  if (prev === undefined) {
    out.fill(0);
    return false;
  }
  let reset = false;
  for (let i = 0; i < cur.length; i++) {
    if (cur[i]! < prev[i]!) {
      reset = true;
      break;
    }
  }
  for (let i = 0; i < cur.length; i++) out[i] = reset ? cur[i]! : cur[i]! - prev[i]!;
  return reset;
}

/**
 * The same for counters known by key, where keys come and go (Istio's per response code series exist
 * only once such a response was seen, so a new key grew from 0). A key that vanished adds nothing.
 */
export function keyedIncrements(
  prev: ReadonlyMap<string, number> | undefined,
  cur: ReadonlyMap<string, number>,
): { increments: Map<string, number>; reset: boolean } {
  const increments = new Map<string, number>();
  if (prev === undefined) return { increments, reset: false };
  let reset = false;
  for (const [k, v] of cur) {
    const p = prev.get(k);
    if (p !== undefined && v < p) {
      reset = true;
      break;
    }
  }
  for (const [k, v] of cur) increments.set(k, reset ? v : v - (prev.get(k) ?? 0));
  return { increments, reset };
}
