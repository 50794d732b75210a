// Folding query results into Traffic, on samples shaped like Prometheus's answers to traffic-queries.ts.
import { describe, expect, it } from 'vitest';
import { causeOfResponseFlags, split503 } from '../../../server/sources/prometheus/traffic-from-rates.ts';
import { type TrafficQueryName, trafficQueries } from '../../../server/sources/prometheus/traffic-queries.ts';
import {
  buildSnapshot,
  type PromSample,
  type QueryResults,
} from '../../../server/sources/prometheus/traffic-snapshot.ts';

// Every query name, so each test lists only the results it cares about.
const NAMES = Object.keys(
  trafficQueries({ windowSeconds: 60, matching: { by: 'instance' } }),
) as TrafficQueryName[];

function results(partial: Partial<Record<TrafficQueryName, PromSample[]>>): QueryResults {
  const out = {} as Record<TrafficQueryName, PromSample[]>;
  for (const n of NAMES) out[n] = partial[n] ?? [];
  return out;
}

const A = { instance: '10.0.0.1:15000' };
const B = { instance: '10.0.0.2:15000' };
const envoy = (target: object, cluster: string, extra: object = {}) => ({
  ...target,
  envoy_cluster_name: cluster,
  cluster_name: '',
  ...extra,
});

describe('buildSnapshot', () => {
  it('folds Envoy cluster rates per sidecar and cluster', () => {
    const s = buildSnapshot(
      results({
        clusterRq: [
          { labels: envoy(A, 'backend_v1'), value: 8 },
          { labels: envoy(A, 'backend_v2'), value: 2 },
          { labels: envoy(B, 'backend_v1'), value: 5 },
        ],
        clusterRqXx: [
          { labels: envoy(A, 'backend_v1', { envoy_response_code_class: '2' }), value: 6 },
          { labels: envoy(A, 'backend_v1', { envoy_response_code_class: '5' }), value: 2 },
          { labels: envoy(A, 'backend_v1', { envoy_response_code_class: 'x' }), value: 99 },
        ],
        clusterRq503: [{ labels: envoy(A, 'backend_v1'), value: 1.5 }],
        clusterPendingOverflow: [{ labels: envoy(A, 'backend_v1'), value: 0.5 }],
        clusterCxConnectFail: [{ labels: envoy(A, 'backend_v1'), value: 0.25 }],
        clusterLatency_p50: [{ labels: envoy(A, 'backend_v1'), value: 3 }],
        clusterLatency_p95: [
          { labels: envoy(A, 'backend_v1'), value: 9 },
          { labels: envoy(A, 'backend_v2'), value: Number.NaN },
        ],
        clusterLatency_p99: [
          { labels: envoy(A, 'backend_v1'), value: 12 },
          { labels: envoy(A, 'backend_v2'), value: Number.NaN },
        ],
      }),
      { by: 'instance' },
      1234,
    );
    expect(s.at).toBe(1234);
    expect(s.clusters.get('10.0.0.1:15000')?.get('backend_v1')).toEqual({
      rps: 8,
      status: { '2xx': 6, '3xx': 0, '4xx': 0, '5xx': 2 },
      rate503: 1.5,
      causes503: { overflow: 0.5, noHealthyUpstream: 0, connectFailure: 0.25, upstream: 0.75 },
      latencyMs: { p50: 3, p95: 9, p99: 12 },
    });
    // No samples in the window: histogram_quantile's NaN is "no latency".
    expect(s.clusters.get('10.0.0.1:15000')?.get('backend_v2')?.latencyMs).toBeNull();
    expect(s.clusters.get('10.0.0.2:15000')?.get('backend_v1')?.rps).toBe(5);
  });

  it("reads Istio's cluster_name tag, and skips series without target or cluster labels", () => {
    const s = buildSnapshot(
      results({
        clusterRq: [
          { labels: { ...A, envoy_cluster_name: '', cluster_name: 'outbound|9080||reviews' }, value: 4 },
          { labels: { envoy_cluster_name: 'backend_v1' }, value: 100 },
          { labels: { ...A }, value: 100 },
        ],
      }),
      { by: 'instance' },
      0,
    );
    expect([...(s.clusters.get('10.0.0.1:15000')?.keys() ?? [])]).toEqual(['outbound|9080||reviews']);
    expect(s.clusters.size).toBe(1);
  });

  it('folds Istio telemetry per destination, classes from codes and 503 causes from flags', () => {
    const key = {
      reporter: 'source',
      source_workload: 'productpage-v1',
      source_workload_namespace: 'bookinfo',
      destination_workload: 'reviews-v2',
      destination_workload_namespace: 'bookinfo',
      destination_service: 'reviews.bookinfo.svc.cluster.local',
      destination_app: 'reviews',
      destination_version: 'v2',
    };
    const pod = { namespace: 'bookinfo', pod: 'productpage-v1-abc' };
    const s = buildSnapshot(
      results({
        istioRq: [
          { labels: { ...pod, ...key, response_code: '200', response_flags: '-' }, value: 10 },
          { labels: { ...pod, ...key, response_code: '503', response_flags: 'UO' }, value: 1 },
          { labels: { ...pod, ...key, response_code: '503', response_flags: 'UF,URX' }, value: 0.5 },
          { labels: { ...pod, ...key, response_code: '503', response_flags: '-' }, value: 0.25 },
          { labels: { ...pod, ...key, response_code: '0', response_flags: 'DC' }, value: 0.125 },
          { labels: { ...pod, ...key, reporter: 'destination', response_code: '404' }, value: 2 },
          { labels: { ...pod, ...key, reporter: 'waypoint', response_code: '200' }, value: 7 },
        ],
        istioLatency_p50: [{ labels: { ...pod, ...key }, value: 20 }],
        istioLatency_p95: [{ labels: { ...pod, ...key }, value: 40 }],
        istioLatency_p99: [{ labels: { ...pod, ...key }, value: 49 }],
      }),
      { by: 'pod' },
      0,
    );
    const dests = s.istio.get('bookinfo/productpage-v1-abc') ?? [];
    expect(dests).toHaveLength(2);
    const source = dests.find((d) => d.key.reporter === 'source');
    expect(source?.key).toEqual({
      reporter: 'source',
      sourceWorkload: 'productpage-v1',
      sourceNamespace: 'bookinfo',
      destinationWorkload: 'reviews-v2',
      destinationNamespace: 'bookinfo',
      destinationService: 'reviews.bookinfo.svc.cluster.local',
      destinationApp: 'reviews',
      destinationVersion: 'v2',
    });
    expect(source?.traffic).toEqual({
      rps: 11.875,
      status: { '2xx': 10, '3xx': 0, '4xx': 0, '5xx': 1.75 },
      rate503: 1.75,
      causes503: { overflow: 1, noHealthyUpstream: 0, connectFailure: 0.5, upstream: 0.25 },
      latencyMs: { p50: 20, p95: 40, p99: 49 },
    });
    const dest = dests.find((d) => d.key.reporter === 'destination');
    expect(dest?.traffic.status['4xx']).toBe(2);
    expect(dest?.traffic.latencyMs).toBeNull();
  });

  it('folds inbound listener rates per sidecar', () => {
    const s = buildSnapshot(
      results({
        inboundRq: [{ labels: A, value: 30 }],
        inboundRqXx: [
          { labels: { ...A, envoy_response_code_class: '2' }, value: 27 },
          { labels: { ...A, response_code_class: '4' }, value: 3 },
        ],
        inboundLatency_p50: [{ labels: A, value: 1 }],
        inboundLatency_p95: [{ labels: A, value: 2 }],
        inboundLatency_p99: [{ labels: A, value: 4 }],
      }),
      { by: 'instance' },
      0,
    );
    expect(s.inbound.get('10.0.0.1:15000')).toEqual({
      rps: 30,
      status: { '2xx': 27, '3xx': 0, '4xx': 3, '5xx': 0 },
      rate503: 0,
      causes503: { overflow: 0, noHealthyUpstream: 0, connectFailure: 0, upstream: 0 },
      latencyMs: { p50: 1, p95: 2, p99: 4 },
    });
  });
});

describe('503 causes', () => {
  it('never attributes more than the 503 rate, in the order Envoy decides them', () => {
    // Connect failures counted per attempt (retries) exceed the 503s they caused.
    expect(split503(2, { overflow: 0, noHealthyUpstream: 0, connectFailure: 3 })).toEqual({
      overflow: 0,
      noHealthyUpstream: 0,
      connectFailure: 2,
      upstream: 0,
    });
    expect(split503(4, { overflow: 1, noHealthyUpstream: 2, connectFailure: 3 })).toEqual({
      overflow: 1,
      noHealthyUpstream: 2,
      connectFailure: 1,
      upstream: 0,
    });
    expect(split503(0, { overflow: 1, noHealthyUpstream: 0, connectFailure: 0 }).overflow).toBe(0);
  });

  it('reads the cause from response flags', () => {
    expect(causeOfResponseFlags('UO')).toBe('overflow');
    expect(causeOfResponseFlags('URX,UF')).toBe('connectFailure');
    expect(causeOfResponseFlags('UH')).toBe('noHealthyUpstream');
    expect(causeOfResponseFlags('-')).toBe('upstream');
    expect(causeOfResponseFlags('UC')).toBe('upstream');
  });
});
