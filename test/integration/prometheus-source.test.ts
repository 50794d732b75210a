// PrometheusTrafficSource against a real Prometheus (Debian package) that scrapes real proxies'
// /stats/prometheus every second while this test sends them paced load:
// - sidecar A: 80/20 weighted route to backend_v1 / backend_v2 (fast backends);
// - sidecar B: `/delay/40` to its own backend_v1 (slow), `/dead` to a cluster whose port refuses;
// - an Istio-shaped exporter (no istio-proxy here): istio_requests_total and its duration histogram
//   growing at known rates, so the Istio queries run against real PromQL too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../server/model/inventory.ts';
import type { SidecarScrape } from '../../server/model/sidecar-data.ts';
import { PrometheusTrafficSource } from '../../server/sources/prometheus/prometheus-traffic-source.ts';
import type { Traffic } from '../../shared/api/graph.ts';
import type { PrometheusSourceStatus } from '../../shared/api/sources.ts';
import { staticBootstrap } from '../support/envoy-bootstrap.ts';
import {
  type BackendProcess,
  freePort,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../support/processes.ts';
import { type PrometheusProcess, startPrometheus } from '../support/prometheus-server.ts';
import { findTool } from '../support/system-tools.ts';

const WINDOW_S = 10;
const RATE_A = 80;
const RATE_B_SLOW = 20;
const RATE_B_DEAD = 5;
const ISTIO_OK_RATE = 10;
const ISTIO_UO_RATE = 2;

// ---- load ----

interface PacedLoad {
  /** Completed requests per second in (from, to], epoch ms. */
  rateBetween(from: number, to: number): number;
  stop(): void;
}

/** Open-loop load: `rps` GETs a second on keep-alive connections, counted as they complete. */
function pacedLoad(url: string, rps: number): PacedLoad {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const completed: number[] = [];
  const started = Date.now();
  let sent = 0;
  const fire = () =>
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => completed.push(Date.now()));
      })
      .on('error', () => {});
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * rps) / 1000);
    for (; sent < due; sent++) fire();
  }, 5);
  return {
    rateBetween: (from, to) => (completed.filter((t) => t > from && t <= to).length * 1000) / (to - from),
    stop: () => {
      clearInterval(timer);
      agent.destroy();
    },
  };
}

// ---- an Istio-shaped exporter ----

const ISTIO_LABELS =
  'reporter="source",source_workload="productpage-v1",source_workload_namespace="bookinfo",' +
  'destination_workload="reviews-v2",destination_workload_namespace="bookinfo",' +
  'destination_service="reviews.bookinfo.svc.cluster.local",destination_app="reviews",destination_version="v2"';

/** Every request takes 25–50 ms (all in the le="50" bucket), so histogram_quantile gives 25 + 25·q. */
function istioExposition(elapsedS: number): string {
  const ok = Math.floor(elapsedS * ISTIO_OK_RATE);
  const uo = Math.floor(elapsedS * ISTIO_UO_RATE);
  const lines = ['# TYPE istio_requests_total counter'];
  lines.push(`istio_requests_total{${ISTIO_LABELS},response_code="200",response_flags="-"} ${ok}`);
  lines.push(`istio_requests_total{${ISTIO_LABELS},response_code="503",response_flags="UO"} ${uo}`);
  lines.push('# TYPE istio_request_duration_milliseconds histogram');
  for (const [code, flags, n] of [
    ['200', '-', ok],
    ['503', 'UO', uo],
  ] as const) {
    const l = `${ISTIO_LABELS},response_code="${code}",response_flags="${flags}"`;
    lines.push(`istio_request_duration_milliseconds_bucket{${l},le="25"} 0`);
    lines.push(`istio_request_duration_milliseconds_bucket{${l},le="50"} ${n}`);
    lines.push(`istio_request_duration_milliseconds_bucket{${l},le="+Inf"} ${n}`);
    lines.push(`istio_request_duration_milliseconds_sum{${l}} ${n * 40}`);
    lines.push(`istio_request_duration_milliseconds_count{${l}} ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

async function startIstioExporter(): Promise<http.Server> {
  const started = Date.now();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(istioExposition((Date.now() - started) / 1000));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

// ---- the mesh ----

let v1: BackendProcess;
let v2: BackendProcess;
let proxyA: ProxyProcess;
let proxyB: ProxyProcess;
let istio: http.Server;
let prom: PrometheusProcess;
let loads: { a: PacedLoad; bSlow: PacedLoad; bDead: PacedLoad };
let targets: SidecarTarget[];
let byInstance: PrometheusTrafficSource;
let byPod: PrometheusTrafficSource;
const fallbackScrape = { targetId: 'shop/frontend-1' } as SidecarScrape;

function target(id: string, baseUrl: string, kind: SidecarTarget['kind'] = 'meshscope-proxy'): SidecarTarget {
  const [namespace = '', pod = ''] = id.split('/');
  return {
    id,
    namespace,
    workload: pod.replace(/-[^-]+$/, ''),
    pod,
    kind,
    admin: { baseUrl },
    statsPath: '/stats/prometheus',
  };
}

const authority = (url: string) => new URL(url).host;

beforeAll(async () => {
  // Fails first, with how to install it, when the prometheus package is missing.
  findTool('prometheus');
  findTool('promtool');
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  const refusedPort = await freePort();
  [proxyA, proxyB] = await Promise.all([
    startProxy(
      staticBootstrap({
        clusters: [
          { name: 'backend_v1', endpoints: [{ port: v1.port }] },
          { name: 'backend_v2', endpoints: [{ port: v2.port }] },
        ],
        listeners: [
          {
            // Istio's inbound naming: the HCMs both sources count as a sidecar's inbound traffic.
            statPrefix: 'inbound_http',
            routes: [
              {
                prefix: '/',
                weightedClusters: [
                  { name: 'backend_v1', weight: 80 },
                  { name: 'backend_v2', weight: 20 },
                ],
              },
            ],
          },
        ],
      }),
    ),
    startProxy(
      staticBootstrap({
        clusters: [
          { name: 'backend_v1', endpoints: [{ port: v1.port }] },
          { name: 'refused', endpoints: [{ port: refusedPort }] },
        ],
        listeners: [
          {
            statPrefix: 'inbound_http',
            routes: [
              { prefix: '/dead', cluster: 'refused' },
              { prefix: '/', cluster: 'backend_v1' },
            ],
          },
        ],
      }),
    ),
  ]);
  istio = await startIstioExporter();
  const istioUrl = `http://127.0.0.1:${(istio.address() as AddressInfo).port}`;
  targets = [
    target('shop/frontend-1', proxyA.adminUrl),
    target('shop/caller-1', proxyB.adminUrl),
    target('bookinfo/productpage-v1', istioUrl, 'istio-proxy'),
    target('shop/ghost-1', `http://127.0.0.1:${await freePort()}`),
  ];
  prom = await startPrometheus({
    jobs: [
      {
        name: 'sidecars',
        metricsPath: '/stats/prometheus',
        // The namespace/pod labels Kubernetes service discovery would add, for the `pod` matching.
        targets: targets.slice(0, 3).map((t) => ({
          address: authority(t.admin.baseUrl),
          labels: { namespace: t.namespace, pod: t.pod ?? '' },
        })),
      },
    ],
  });
  loads = {
    a: pacedLoad(`http://127.0.0.1:${proxyA.listenerPort}/`, RATE_A),
    bSlow: pacedLoad(`http://127.0.0.1:${proxyB.listenerPort}/delay/40`, RATE_B_SLOW),
    bDead: pacedLoad(`http://127.0.0.1:${proxyB.listenerPort}/dead`, RATE_B_DEAD),
  };
  // Prometheus's service discovery hands targets to the scrapers up to 5 s after it starts; from the
  // first scrape on, wait for a full window of samples of steady load, plus two scrapes.
  await prom.waitForTargetsUp();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 2_000));

  byInstance = new PrometheusTrafficSource({
    url: prom.url,
    targets: () => targets,
    windowSeconds: WINDOW_S,
    fallback: (id) => (id === fallbackScrape.targetId ? fallbackScrape : undefined),
  });
  byPod = new PrometheusTrafficSource({
    url: prom.url,
    targets: () => targets,
    windowSeconds: WINDOW_S,
    matching: { by: 'pod' },
  });
  await Promise.all([byInstance.refresh(), byPod.refresh()]);
}, 40_000);

afterAll(async () => {
  for (const l of Object.values(loads ?? {})) l.stop();
  await prom?.stop();
  await new Promise((r) => istio?.close(r));
  await stopAll();
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

  it('calls onRefresh once per completed refresh, with the new snapshot already in place', async () => {
    const seen: { status: PrometheusSourceStatus; updatedAt: number; traffic: Traffic | undefined }[] = [];
    const source: PrometheusTrafficSource = new PrometheusTrafficSource({
      url: prom.url,
      targets: () => targets,
      windowSeconds: WINDOW_S,
      onRefresh: (status) =>
        seen.push({
          status,
          updatedAt: source.updatedAt,
          traffic: source.clusterTraffic('shop/frontend-1', 'backend_v1'),
        }),
    });
    // Two callers during one refresh share it: one callback.
    await Promise.all([source.refresh(), source.refresh()]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.status).toMatchObject({ up: true, refreshes: 1, lastError: null });
    expect(seen[0]!.updatedAt).toBe(seen[0]!.status.lastSuccess);
    expect(seen[0]!.traffic?.rps).toBeGreaterThan(0);
    await source.refresh();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.status.refreshes).toBe(2);
    expect(seen[1]!.updatedAt).toBeGreaterThan(seen[0]!.updatedAt);
  });

  it('calls onRefresh after a failed refresh too, and survives a throwing listener', async () => {
    const statuses: PrometheusSourceStatus[] = [];
    const down = new PrometheusTrafficSource({
      url: `http://127.0.0.1:${await freePort()}`,
      targets: () => targets,
      onRefresh: (status) => {
        statuses.push(status);
        throw new Error('listener bug');
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await expect(down.refresh()).resolves.toBeUndefined();
      await expect(down.refresh()).resolves.toBeUndefined();
    } finally {
      console.error = original;
    }
    expect(statuses.map((s) => [s.up, s.refreshes])).toEqual([
      [false, 1],
      [false, 2],
    ]);
    expect(statuses[0]!.lastError).toMatch(/ECONNREFUSED/);
    expect(errors).toHaveLength(2);
    // The listener's error is reported as its own, not as the refresh's.
    expect(down.status().lastError).toMatch(/ECONNREFUSED/);
  });

  it('reports a query Prometheus rejects, without throwing', async () => {
    const bad = new PrometheusTrafficSource({ url: prom.url, targets: () => targets, extraMatchers: 'job=' });
    await expect(bad.refresh()).resolves.toBeUndefined();
    const s = bad.status();
    expect(s.up).toBe(false);
    expect(s.queryFailures).toBe(Object.keys(bad.queries).length);
    expect(s.lastError).toMatch(/HTTP 400/);
    expect(s.lastError).toMatch(/parse error/);
    expect(bad.updatedAt).toBe(0);
  });

  it('reports an unreachable Prometheus and counts every failed query', async () => {
    const down = new PrometheusTrafficSource({
      url: `http://127.0.0.1:${await freePort()}`,
      targets: () => targets,
    });
    await down.refresh();
    await down.refresh();
    const s = down.status();
    expect(s).toMatchObject({ up: false, refreshes: 2, lastSuccess: null });
    expect(s.queryFailures).toBe(2 * Object.keys(down.queries).length);
    expect(s.lastError).toMatch(/ECONNREFUSED/);
    expect(down.clusterTraffic('shop/frontend-1', 'backend_v1')).toBeUndefined();
  });

  it('keeps the last good figures when Prometheus goes away', async () => {
    const before = byInstance.clusterTraffic('shop/frontend-1', 'backend_v1');
    const updatedAt = byInstance.updatedAt;
    await prom.stop();
    await byInstance.refresh();
    expect(byInstance.status()).toMatchObject({ up: false, lastSuccess: updatedAt });
    expect(byInstance.updatedAt).toBe(updatedAt);
    expect(byInstance.clusterTraffic('shop/frontend-1', 'backend_v1')).toBe(before);
  });
});
