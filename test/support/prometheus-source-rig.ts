// The rig both PrometheusTrafficSource files run against: a real Prometheus (Debian package) that
// scrapes real proxies' /stats/prometheus every second while they carry paced load:
// - sidecar A: 80/20 weighted route to backend_v1 / backend_v2 (fast backends);
// - sidecar B: `/delay/40` to its own backend_v1 (slow), `/dead` to a cluster whose port refuses;
// - an Istio-shaped exporter (no istio-proxy here): istio_requests_total and its duration histogram
//   growing at known rates, so the Istio queries run against real PromQL too.
// Each file gets its own rig.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { SidecarTarget } from '../../server/model/inventory.ts';
import type { SidecarScrape } from '../../server/model/sidecar-data.ts';
import { PrometheusTrafficSource } from '../../server/sources/prometheus/prometheus-traffic-source.ts';
import { staticBootstrap } from './envoy-bootstrap.ts';
import { type PacedLoad, pacedLoad } from './paced-load.ts';
import { freePort, startBackend, startProxy, stopAll } from './processes.ts';
import { type PrometheusProcess, startPrometheus } from './prometheus-server.ts';
import { findTool } from './system-tools.ts';

export const WINDOW_S = 10;
export const RATE_A = 80;
const RATE_B_SLOW = 20;
const RATE_B_DEAD = 5;
export const ISTIO_OK_RATE = 10;
export const ISTIO_UO_RATE = 2;

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

export interface PrometheusSourceRig {
  prom: PrometheusProcess;
  loads: { a: PacedLoad; bSlow: PacedLoad; bDead: PacedLoad };
  /** frontend-1 and caller-1 (the proxies), productpage-v1 (Istio) and ghost-1, which nothing scrapes. */
  targets: SidecarTarget[];
  /** Matches series by instance; frontend-1's structure comes from `fallbackScrape`. */
  byInstance: PrometheusTrafficSource;
  /** Matches series by their namespace/pod labels. */
  byPod: PrometheusTrafficSource;
  fallbackScrape: SidecarScrape;
}

/** Registers the suite's hooks; the returned rig is filled in by beforeAll, after a full window of load. */
export function setUpPrometheusSourceRig(): PrometheusSourceRig {
  const rig = { fallbackScrape: { targetId: 'shop/frontend-1' } as SidecarScrape } as PrometheusSourceRig;
  let istio: http.Server | undefined;
  beforeAll(async () => {
    // Fails first, with how to install it, when the prometheus package is missing.
    findTool('prometheus');
    findTool('promtool');
    const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
    const refusedPort = await freePort();
    const [proxyA, proxyB] = await Promise.all([
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
    const targets = [
      target('shop/frontend-1', proxyA.adminUrl),
      target('shop/caller-1', proxyB.adminUrl),
      target('bookinfo/productpage-v1', istioUrl, 'istio-proxy'),
      target('shop/ghost-1', `http://127.0.0.1:${await freePort()}`),
    ];
    rig.targets = targets;
    rig.prom = await startPrometheus({
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
    rig.loads = {
      a: pacedLoad(`http://127.0.0.1:${proxyA.listenerPort}/`, RATE_A),
      bSlow: pacedLoad(`http://127.0.0.1:${proxyB.listenerPort}/delay/40`, RATE_B_SLOW),
      bDead: pacedLoad(`http://127.0.0.1:${proxyB.listenerPort}/dead`, RATE_B_DEAD),
    };
    // Prometheus's service discovery hands targets to the scrapers up to 5 s after it starts; from the
    // first scrape on, wait for a full window of samples of steady load, plus two scrapes.
    await rig.prom.waitForTargetsUp();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000 + 2_000));

    rig.byInstance = new PrometheusTrafficSource({
      url: rig.prom.url,
      targets: () => targets,
      windowSeconds: WINDOW_S,
      fallback: (id) => (id === rig.fallbackScrape.targetId ? rig.fallbackScrape : undefined),
    });
    rig.byPod = new PrometheusTrafficSource({
      url: rig.prom.url,
      targets: () => targets,
      windowSeconds: WINDOW_S,
      matching: { by: 'pod' },
    });
    await Promise.all([rig.byInstance.refresh(), rig.byPod.refresh()]);
  }, 40_000);

  afterAll(async () => {
    for (const l of Object.values(rig.loads ?? {})) l.stop();
    await rig.prom?.stop();
    await new Promise((r) => istio?.close(r));
    await stopAll();
  });
  return rig;
}
