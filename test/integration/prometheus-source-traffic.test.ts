// PrometheusTrafficSource against a real Prometheus scraping real proxies under paced load (the rig
// is in ../support/prometheus-source-rig.ts): the figures it reads per cluster, per inbound listener and
// per Istio destination agree with the load generated, by instance and by namespace/pod labels.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SidecarScrape } from '../../server/model/sidecar-data.ts';
import type { PrometheusTrafficSource } from '../../server/sources/prometheus/prometheus-traffic-source.ts';
import type { Traffic } from '../../shared/api/graph.ts';
import type { PacedLoad } from '../support/paced-load.ts';
import type { PrometheusProcess } from '../support/prometheus-server.ts';
import {
  ISTIO_OK_RATE,
  ISTIO_UO_RATE,
  type PrometheusSourceRig,
  RATE_A,
  setUpPrometheusSourceRig,
  WINDOW_S,
} from '../support/prometheus-source-rig.ts';

const rig = setUpPrometheusSourceRig();
let prom: PrometheusProcess;
let loads: PrometheusSourceRig['loads'];
let byInstance: PrometheusTrafficSource;
let byPod: PrometheusTrafficSource;
let fallbackScrape: SidecarScrape;
beforeAll(() => {
  ({ prom, loads, byInstance, byPod, fallbackScrape } = rig);
});

/** Completed requests per second over the source's window, ending when it queried. */
function generated(load: PacedLoad, source: PrometheusTrafficSource): number {
  return load.rateBetween(source.updatedAt - WINDOW_S * 1000, source.updatedAt);
}

function traffic(t: Traffic | undefined): Traffic {
  expect(t).toBeDefined();
  return t!;
}

/** `actual` within `relative` (a fraction) of `expected`. */
function expectNear(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);
}

function expectPlausibleLatency(t: Traffic, maxMs: number): void {
  const l = t.latencyMs;
  expect(l).not.toBeNull();
  expect(l!.p50).toBeGreaterThan(0);
  expect(l!.p50).toBeLessThanOrEqual(l!.p95);
  expect(l!.p95).toBeLessThanOrEqual(l!.p99);
  expect(l!.p99).toBeLessThanOrEqual(maxMs);
}

describe('PrometheusTrafficSource against a real Prometheus', () => {
  it('runs on a config promtool accepts, and every query answers', () => {
    expect(prom.configCheck).toContain('SUCCESS');
    expect(byInstance.status()).toMatchObject({ up: true, lastError: null, queryFailures: 0 });
    expect(byInstance.updatedAt).toBeGreaterThan(0);
  });

  it('splits the weighted route 80/20 of the generated rate', () => {
    const g = generated(loads.a, byInstance);
    expect(g).toBeGreaterThan(RATE_A * 0.7);
    const a1 = traffic(byInstance.clusterTraffic('shop/frontend-1', 'backend_v1'));
    const a2 = traffic(byInstance.clusterTraffic('shop/frontend-1', 'backend_v2'));
    expect(a1.rps / g).toBeGreaterThan(0.7);
    expect(a1.rps / g).toBeLessThan(0.9);
    expect(a2.rps / g).toBeGreaterThan(0.12);
    expect(a2.rps / g).toBeLessThan(0.28);
    expect(a1.rps / (a1.rps + a2.rps)).toBeCloseTo(0.8, 1);
    // upstream_rq_total counts a request when it starts, upstream_rq_2xx when it ends: a scrape can
    // fall between the two.
    expectNear(a1.status['2xx'], a1.rps, 0.05);
    expect(a1.rate503).toBe(0);
    // Immediate answers: the median within Envoy's first buckets; the tail depends on how busy the
    // machine is, so only a generous bound.
    expectPlausibleLatency(a1, 250);
    expectPlausibleLatency(a2, 250);
    expect(a1.latencyMs!.p50).toBeLessThan(10);
    expect(a2.latencyMs!.p50).toBeLessThan(10);
  });

  it('attributes the 503s of a refused port to connect failure', () => {
    const g = generated(loads.bDead, byInstance);
    const dead = traffic(byInstance.clusterTraffic('shop/caller-1', 'refused'));
    expect(dead.rate503 / g).toBeGreaterThan(0.7);
    expect(dead.rate503 / g).toBeLessThan(1.3);
    expectNear(dead.status['5xx'], dead.rate503, 0.05);
    expectNear(dead.causes503.connectFailure, dead.rate503, 0.05);
    expect(dead.causes503.upstream).toBeLessThan(dead.rate503 * 0.05);
    expect(dead.causes503.overflow + dead.causes503.noHealthyUpstream).toBe(0);
  });

  it('keeps sidecars apart: the same cluster name on B carries B’s slow traffic and latency', () => {
    const g = generated(loads.bSlow, byInstance);
    const b1 = traffic(byInstance.clusterTraffic('shop/caller-1', 'backend_v1'));
    expect(b1.rps / g).toBeGreaterThan(0.8);
    expect(b1.rps / g).toBeLessThan(1.2);
    // 40 ms requests land in Envoy's (25, 50] bucket, well above A's immediate answers.
    expectPlausibleLatency(b1, 250);
    expect(b1.latencyMs!.p50).toBeGreaterThanOrEqual(25);
    expect(b1.latencyMs!.p50).toBeLessThanOrEqual(50);
    const a1 = traffic(byInstance.clusterTraffic('shop/frontend-1', 'backend_v1'));
    expect(a1.latencyMs!.p50).toBeLessThan(b1.latencyMs!.p50);
    expect(byInstance.clusterTraffic('shop/frontend-1', 'refused')).toBeUndefined();
  });

  it('reads inbound listener traffic, without the admin scrapes', () => {
    const g = generated(loads.a, byInstance);
    const a = traffic(byInstance.inboundTraffic('shop/frontend-1'));
    expect(a.rps / g).toBeGreaterThan(0.85);
    expect(a.rps / g).toBeLessThan(1.15);
    expect(a.status['5xx']).toBe(0);
    expectPlausibleLatency(a, 250);
    expect(a.latencyMs!.p50).toBeLessThan(10);
    const b = traffic(byInstance.inboundTraffic('shop/caller-1'));
    expect(b.status['5xx'] / generated(loads.bDead, byInstance)).toBeGreaterThan(0.7);
  });

  it('reads Istio telemetry per destination, with response flags as the 503 cause', () => {
    const [first, ...rest] = byInstance.istioTraffic('bookinfo/productpage-v1');
    expect(rest).toEqual([]);
    expect(first?.key).toEqual({
      reporter: 'source',
      sourceWorkload: 'productpage-v1',
      sourceNamespace: 'bookinfo',
      destinationWorkload: 'reviews-v2',
      destinationNamespace: 'bookinfo',
      destinationService: 'reviews.bookinfo.svc.cluster.local',
      destinationApp: 'reviews',
      destinationVersion: 'v2',
    });
    const t = first!.traffic;
    expect(t.status['2xx']).toBeGreaterThan(ISTIO_OK_RATE * 0.8);
    expect(t.status['2xx']).toBeLessThan(ISTIO_OK_RATE * 1.2);
    expect(t.rate503).toBeGreaterThan(ISTIO_UO_RATE * 0.6);
    expect(t.rate503).toBeLessThan(ISTIO_UO_RATE * 1.4);
    expect(t.causes503.overflow).toBe(t.rate503);
    expect(t.rps).toBeCloseTo(t.status['2xx'] + t.status['5xx'], 5);
    expect(t.latencyMs?.p50).toBeCloseTo(37.5, 5);
    expect(t.latencyMs?.p99).toBeCloseTo(49.75, 5);
  });

  it('maps series by namespace/pod labels as well as by instance', () => {
    for (const [id, cluster] of [
      ['shop/frontend-1', 'backend_v1'],
      ['shop/frontend-1', 'backend_v2'],
      ['shop/caller-1', 'refused'],
    ] as const) {
      const viaPod = traffic(byPod.clusterTraffic(id, cluster));
      const viaInstance = traffic(byInstance.clusterTraffic(id, cluster));
      expect(viaPod.rps).toBeGreaterThan(viaInstance.rps * 0.8);
      expect(viaPod.rps).toBeLessThan(viaInstance.rps * 1.2);
    }
    expect(byPod.istioTraffic('bookinfo/productpage-v1')).toHaveLength(1);
  });

  it('answers nothing for a sidecar Prometheus does not scrape, and delegates structure', () => {
    expect(byInstance.clusterTraffic('shop/ghost-1', 'backend_v1')).toBeUndefined();
    expect(byInstance.inboundTraffic('shop/ghost-1')).toBeUndefined();
    expect(byInstance.istioTraffic('shop/ghost-1')).toEqual([]);
    expect(byInstance.latest('shop/frontend-1')).toBe(fallbackScrape);
    expect(byInstance.latest('shop/caller-1')).toBeUndefined();
    expect(byPod.latest('shop/frontend-1')).toBeUndefined();
  });
});
