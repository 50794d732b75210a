// One scrape's counters as the vectors a CounterSeries stores (layout in counter-series.ts): upstream
// cluster counters, inbound listener counters, and Istio's per-code counters, whose 503 response flags
// give the causes (UO overflow, UH no healthy upstream, UF connect failure).
import type { ClusterCounters, IstioDestinationCounters, SidecarScrape } from '../model/sidecar-data.ts';
import { IX, TRAFFIC_SCALARS } from './counter-series.ts';

export function clusterVector(c: ClusterCounters): Float64Array {
  const le = c.rqTime?.le ?? [];
  const v = new Float64Array(TRAFFIC_SCALARS + le.length);
  v[IX.total] = c.upstream_rq_total;
  for (let i = 0; i < 5; i++) v[IX.xx + i] = c.upstream_rq_xx[i]!;
  v[IX.rq503] = c.upstream_rq_503;
  v[IX.pendingOverflow] = c.upstream_rq_pending_overflow;
  v[IX.cxOverflow] = c.upstream_cx_overflow;
  v[IX.noneHealthy] = c.upstream_cx_none_healthy;
  v[IX.connectFail] = c.upstream_cx_connect_fail;
  if (c.rqTime !== undefined) v.set(c.rqTime.counts, TRAFFIC_SCALARS);
  return v;
}

export function inboundVector(d: NonNullable<SidecarScrape['downstream']>): Float64Array {
  const v = new Float64Array(TRAFFIC_SCALARS);
  v[IX.total] = d.rq_total;
  for (let i = 0; i < 5; i++) v[IX.xx + i] = d.rq_xx[i]!;
  return v;
}

/** Istio counters by key: `c<code>|<flags>` per response code and flags, `b<le>` per duration bucket. */
export function istioKeyed(d: IstioDestinationCounters): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(d.byCodeAndFlags)) m.set(`c${k}`, v);
  if (d.duration !== undefined) {
    d.duration.le.forEach((le, i) => {
      m.set(`b${le}`, d.duration!.counts[i]!);
    });
  }
  return m;
}

/** Projects keyed increments (from istioKeyed readings) onto a vector with bucket layout `le`. */
export function istioVector(increments: ReadonlyMap<string, number>, le: readonly number[]): Float64Array {
  const v = new Float64Array(TRAFFIC_SCALARS + le.length);
  for (const [key, inc] of increments) {
    if (key.startsWith('b')) {
      const i = le.indexOf(Number(key.slice(1)));
      if (i !== -1) v[TRAFFIC_SCALARS + i] = inc;
      continue;
    }
    const bar = key.indexOf('|');
    const code = bar === -1 ? key.slice(1) : key.slice(1, bar);
    const flags = bar === -1 ? '' : key.slice(bar + 1);
    v[IX.total]! += inc;
    const cls = code.charCodeAt(0) - 48;
    if (code.length === 3 && cls >= 1 && cls <= 5) v[IX.xx + cls - 1]! += inc;
    if (code !== '503') continue;
    v[IX.rq503]! += inc;
    // Envoy sets these flags on the 503s it generates itself; `response_flags` lists them with commas.
    for (const flag of flags.split(',')) {
      if (flag === 'UO') v[IX.pendingOverflow]! += inc;
      else if (flag === 'UH') v[IX.noneHealthy]! += inc;
      else if (flag === 'UF') v[IX.connectFail]! += inc;
    }
  }
  return v;
}

export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
