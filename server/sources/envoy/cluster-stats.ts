// Per-upstream-cluster counters from a parsed `/stats/prometheus`, whichever way the sidecar names them:
// - tagged (Envoy ≥ 1.x default, Consul, Istio ≥ 1.16): `envoy_cluster_upstream_rq_xx{<class>}`,
//   `envoy_cluster_upstream_rq{<code>}`;
// - untagged (istio-proxy before 1.16): `envoy_cluster_upstream_rq_5xx`, `envoy_cluster_upstream_rq_503`.
// Per-code series only exist once a response with that code was seen, so a missing one means 0. The
// class, per-code and untagged forms count the same responses, so where more than one is present the
// larger count is kept instead of adding them.
//
// Cluster names with dots: Envoy's default `envoy.cluster_name` extractor (`^cluster\.((.+?)\.)`) takes
// the name up to its first dot and the rest stays in the metric name, so cluster `backend.v2` prints as
// `envoy_cluster_v2_upstream_rq_total{envoy_cluster_name="backend"}`. Given the real cluster names
// (from /clusters), such families are attributed to the dotted cluster; without them they are skipped
// (as are `external_`/`internal_`/`canary_` variants, which are subsets of the totals read here).

import type { MetricFamily, ParsedExposition } from '../../metrics/prom-exposition.ts';
import type { ClusterCounters } from '../../model/sidecar-data.ts';
import { HistogramSum } from './histogram-sum.ts';
import { classDigit, clusterNameOf, detach, responseClassOf, responseCodeOf } from './stat-labels.ts';

const FAMILY_PREFIX = 'envoy_cluster_';

type StatKind =
  | 'total'
  | 'xxTagged'
  | 'codeTagged'
  | 'classUntagged'
  | 'codeUntagged'
  | 'pendingOverflow'
  | 'cxOverflow'
  | 'noneHealthy'
  | 'connectFail'
  | 'rqTime';

interface FamilyClass {
  kind: StatKind;
  /** The dotted tail of a cluster name left in the metric name, sanitized, with its trailing `_`; '' if none. */
  middle: string;
  /** Class digit or status code of an untagged per-class / per-code family. */
  code: string;
}

// The stat names after `cluster.<name>.`; `(.*?)` catches the middle left by a dotted cluster name.
const FAMILY_RE =
  /^(.*?)(?:(upstream_rq_total)|(upstream_rq_xx)|(upstream_rq_time)|(upstream_rq_pending_overflow)|(upstream_cx_overflow)|(upstream_cx_none_healthy)|(upstream_cx_connect_fail)|upstream_rq_([1-5])xx|upstream_rq_(\d{3})|(upstream_rq))$/;

const KINDS: readonly (StatKind | undefined)[] = [
  undefined,
  undefined,
  'total',
  'xxTagged',
  'rqTime',
  'pendingOverflow',
  'cxOverflow',
  'noneHealthy',
  'connectFail',
  'classUntagged',
  'codeUntagged',
  'codeTagged',
];

export function classifyClusterFamily(name: string): FamilyClass | undefined {
  if (!name.startsWith(FAMILY_PREFIX)) return undefined;
  const m = FAMILY_RE.exec(name.slice(FAMILY_PREFIX.length));
  if (m === null) return undefined;
  const middle = m[1]!;
  if (middle !== '' && !middle.endsWith('_')) return undefined;
  for (let i = 2; i < m.length; i++) {
    const g = m[i];
    if (g !== undefined) return { kind: KINDS[i]!, middle, code: g };
  }
  return undefined;
}

/** Maps (tag value, middle) back to a dotted cluster name: `backend` + `v2_` → `backend.v2`. */
export function dottedClusterIndex(clusterNames: Iterable<string>): Map<string, string> {
  const index = new Map<string, string>();
  for (const name of clusterNames) {
    const dot = name.indexOf('.');
    if (dot <= 0) continue;
    const middle = `${name.slice(dot + 1).replace(/[^a-zA-Z0-9_]/g, '_')}_`;
    index.set(`${name.slice(0, dot)}\u0000${middle}`, name);
  }
  return index;
}

interface Accumulator {
  total: number;
  xxTagged: number[];
  xxUntagged: number[];
  xxFromCodes: number[];
  rq503Tagged: number;
  rq503Untagged: number;
  pendingOverflow: number;
  cxOverflow: number;
  noneHealthy: number;
  connectFail: number;
  rqTime: HistogramSum | undefined;
}

function newAccumulator(): Accumulator {
  return {
    total: 0,
    xxTagged: [0, 0, 0, 0, 0],
    xxUntagged: [0, 0, 0, 0, 0],
    xxFromCodes: [0, 0, 0, 0, 0],
    rq503Tagged: 0,
    rq503Untagged: 0,
    pendingOverflow: 0,
    cxOverflow: 0,
    noneHealthy: 0,
    connectFail: 0,
    rqTime: undefined,
  };
}

/**
 * Counters per upstream cluster. `clusterNames` (from /clusters) lets families of dotted cluster names
 * be attributed; clusters without any of the counters read here are absent (= no traffic yet).
 */
export function extractClusterCounters(
  parsed: ParsedExposition,
  clusterNames: Iterable<string> = [],
): Map<string, ClusterCounters> {
  const dotted = dottedClusterIndex(clusterNames);
  const accs = new Map<string, Accumulator>();
  for (const family of parsed.families.values()) {
    const cls = classifyClusterFamily(family.name);
    if (cls !== undefined) addFamily(family, cls, dotted, accs);
  }
  const out = new Map<string, ClusterCounters>();
  for (const [name, a] of accs) out.set(name, finish(a));
  return out;
}

function addFamily(
  family: MetricFamily,
  cls: FamilyClass,
  dotted: Map<string, string>,
  accs: Map<string, Accumulator>,
): void {
  for (const sample of family.samples) {
    const tag = clusterNameOf(sample.labels);
    if (tag === undefined) continue;
    const cluster = cls.middle === '' ? tag : dotted.get(`${tag}\u0000${cls.middle}`);
    if (cluster === undefined) continue;
    let a = accs.get(cluster);
    if (a === undefined) {
      a = newAccumulator();
      accs.set(detach(cluster), a);
    }
    const v = sample.value;
    if (!Number.isFinite(v)) continue;
    switch (cls.kind) {
      case 'total':
        a.total += v;
        break;
      case 'xxTagged': {
        const c = responseClassOf(sample.labels);
        if (c !== undefined) a.xxTagged[c - 1]! += v;
        break;
      }
      case 'codeTagged': {
        const code = responseCodeOf(sample.labels);
        if (code === undefined) break;
        const c = classDigit(code);
        if (c !== undefined) a.xxFromCodes[c - 1]! += v;
        if (code === '503') a.rq503Tagged += v;
        break;
      }
      case 'classUntagged':
        a.xxUntagged[Number(cls.code) - 1]! += v;
        break;
      case 'codeUntagged': {
        const c = classDigit(cls.code);
        if (c !== undefined) a.xxFromCodes[c - 1]! += v;
        if (cls.code === '503') a.rq503Untagged += v;
        break;
      }
      case 'pendingOverflow':
        a.pendingOverflow += v;
        break;
      case 'cxOverflow':
        a.cxOverflow += v;
        break;
      case 'noneHealthy':
        a.noneHealthy += v;
        break;
      case 'connectFail':
        a.connectFail += v;
        break;
      case 'rqTime':
        a.rqTime ??= new HistogramSum();
        a.rqTime.add(sample);
        break;
    }
  }
}

function finish(a: Accumulator): ClusterCounters {
  const xx: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  let sumXx = 0;
  for (let i = 0; i < 5; i++) {
    xx[i] = Math.max(a.xxTagged[i]!, a.xxUntagged[i]!, a.xxFromCodes[i]!);
    sumXx += xx[i]!;
  }
  return {
    // upstream_rq_total also counts requests that got no response (resets, timeouts before headers).
    upstream_rq_total: Math.max(a.total, sumXx),
    upstream_rq_xx: xx,
    upstream_rq_503: Math.max(a.rq503Tagged, a.rq503Untagged),
    upstream_rq_pending_overflow: a.pendingOverflow,
    upstream_cx_overflow: a.cxOverflow,
    upstream_cx_none_healthy: a.noneHealthy,
    upstream_cx_connect_fail: a.connectFail,
    rqTime: a.rqTime?.result(),
  };
}
