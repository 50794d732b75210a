// One refresh's query results folded into Traffic per sidecar (by series key, see
// series-target-mapping.ts) and per cluster, Istio destination, or inbound listener. Pure.
import type { Traffic } from '../../../shared/api/graph.ts';
import type { IstioDestinationKey } from '../../model/traffic-source.ts';
import { type SeriesTargetMatching, seriesKeyOfLabels } from './series-target-mapping.ts';
import {
  type ClusterRates,
  clusterTrafficOf,
  emptyClusterRates,
  emptyInboundRates,
  type InboundRates,
  type IstioRates,
  inboundTrafficOf,
  istioTrafficOf,
} from './traffic-from-rates.ts';
import {
  CLUSTER_LABELS,
  CODE_CLASS_LABELS,
  ISTIO_KEY_LABELS,
  type QuantileName,
  type TrafficQueryName,
} from './traffic-queries.ts';

/** One element of an instant vector. */
export interface PromSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export type QueryResults = Record<TrafficQueryName, readonly PromSample[]>;

export interface TrafficSnapshot {
  /** Epoch ms the queries were evaluated at. */
  at: number;
  /** Series key → cluster → traffic. */
  clusters: Map<string, Map<string, Traffic>>;
  istio: Map<string, { key: IstioDestinationKey; traffic: Traffic }[]>;
  inbound: Map<string, Traffic>;
}

type Labels = PromSample['labels'];

function firstLabel(labels: Labels, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Index 0..4 of a response code class label ("2" → 1), or undefined. */
function classIndex(labels: Labels): number | undefined {
  const c = Number(firstLabel(labels, CODE_CLASS_LABELS));
  return Number.isInteger(c) && c >= 1 && c <= 5 ? c - 1 : undefined;
}

function istioKeyOf(labels: Labels): IstioDestinationKey | undefined {
  const [reporter, sw, sns, dw, dns, dsvc, dapp, dver] = ISTIO_KEY_LABELS.map((l) => labels[l] ?? 'unknown');
  if (reporter !== 'source' && reporter !== 'destination') return undefined;
  return {
    reporter,
    sourceWorkload: sw ?? 'unknown',
    sourceNamespace: sns ?? 'unknown',
    destinationWorkload: dw ?? 'unknown',
    destinationNamespace: dns ?? 'unknown',
    destinationService: dsvc ?? 'unknown',
    destinationApp: dapp ?? 'unknown',
    destinationVersion: dver ?? 'unknown',
  };
}

const QUANTILE_OF: Record<string, QuantileName> = { p50: 'p50', p95: 'p95', p99: 'p99' };
const quantileOf = (name: string): QuantileName | undefined => QUANTILE_OF[name.split('_')[1] ?? ''];

type ClusterFold = (r: ClusterRates, labels: Labels, v: number) => void;

const CLUSTER_FOLDS: Partial<Record<TrafficQueryName, ClusterFold>> = {
  clusterRq: (r, _l, v) => {
    r.upstream_rq_total += v;
  },
  clusterRqXx: (r, l, v) => {
    const i = classIndex(l);
    if (i !== undefined) r.upstream_rq_xx[i] = (r.upstream_rq_xx[i] ?? 0) + v;
  },
  clusterRq503: (r, _l, v) => {
    r.upstream_rq_503 += v;
  },
  clusterPendingOverflow: (r, _l, v) => {
    r.upstream_rq_pending_overflow += v;
  },
  clusterCxOverflow: (r, _l, v) => {
    r.upstream_cx_overflow += v;
  },
  clusterCxNoneHealthy: (r, _l, v) => {
    r.upstream_cx_none_healthy += v;
  },
  clusterCxConnectFail: (r, _l, v) => {
    r.upstream_cx_connect_fail += v;
  },
};

/** Folds every query's samples into Traffic per sidecar; samples without the target labels are skipped. */
export function buildSnapshot(
  results: QueryResults,
  matching: SeriesTargetMatching,
  at: number,
): TrafficSnapshot {
  const clusterRates = new Map<string, Map<string, ClusterRates>>();
  const istioRates = new Map<string, Map<string, { key: IstioDestinationKey; rates: IstioRates }>>();
  const inboundRates = new Map<string, InboundRates>();

  for (const [name, samples] of Object.entries(results) as [TrafficQueryName, readonly PromSample[]][]) {
    for (const { labels, value } of samples) {
      const target = seriesKeyOfLabels(labels, matching);
      if (target === undefined) continue;
      if (name.startsWith('cluster')) {
        const cluster = firstLabel(labels, CLUSTER_LABELS);
        if (cluster === undefined) continue;
        const r = getOrAdd(
          getOrAdd(clusterRates, target, () => new Map()),
          cluster,
          emptyClusterRates,
        );
        const q = quantileOf(name);
        if (q) r.latency[q] = value;
        else CLUSTER_FOLDS[name]?.(r, labels, value);
      } else if (name.startsWith('istio')) {
        const key = istioKeyOf(labels);
        if (key === undefined) continue;
        const perTarget = getOrAdd(istioRates, target, () => new Map());
        const d = getOrAdd(perTarget, JSON.stringify(key), () => ({
          key,
          rates: { byCodeAndFlags: [], latency: {} },
        }));
        const q = quantileOf(name);
        if (q) d.rates.latency[q] = value;
        else {
          const code = labels['response_code'] ?? '';
          d.rates.byCodeAndFlags.push({ code, flags: labels['response_flags'] ?? '-', rate: value });
        }
      } else {
        const r = getOrAdd(inboundRates, target, emptyInboundRates);
        const q = quantileOf(name);
        if (q) r.latency[q] = value;
        else if (name === 'inboundRq') r.downstream_rq_total += value;
        else {
          const i = classIndex(labels);
          if (i !== undefined) r.downstream_rq_xx[i] = (r.downstream_rq_xx[i] ?? 0) + value;
        }
      }
    }
  }

  const clusters = new Map<string, Map<string, Traffic>>();
  for (const [target, perCluster] of clusterRates) {
    clusters.set(target, new Map([...perCluster].map(([c, r]) => [c, clusterTrafficOf(r)])));
  }
  const istio = new Map<string, { key: IstioDestinationKey; traffic: Traffic }[]>();
  for (const [target, perDest] of istioRates) {
    istio.set(
      target,
      [...perDest.values()].map(({ key, rates }) => ({ key, traffic: istioTrafficOf(rates) })),
    );
  }
  const inbound = new Map([...inboundRates].map(([t, r]) => [t, inboundTrafficOf(r)]));
  return { at, clusters, istio, inbound };
}
