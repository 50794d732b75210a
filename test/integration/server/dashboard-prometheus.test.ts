// The dashboard end to end with Prometheus as its traffic source: a real Prometheus (Debian package)
// scrapes the demo mesh's sidecars every second, and the real `bin/meshscope --targets … --prometheus`
// builds its graph from PromQL. Proved from three sides: the sidecars list still comes from the
// dashboard's own scrapes, the edge figures are the answers of PromQL we ask ourselves at the graph's
// evaluation time, and once Prometheus stops the graph keeps its last figures while /api/sources says
// why they no longer move.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type DemoMesh, startDemoMesh } from '../../../server/demo/start-demo-mesh.ts';
import { type Graph, GraphSchema } from '../../../shared/api/graph.ts';
import { SidecarListSchema } from '../../../shared/api/sidecars.ts';
import { SourcesSchema } from '../../../shared/api/sources.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { type PrometheusProcess, startPrometheus } from '../../support/prometheus-server.ts';
import { findTool } from '../../support/system-tools.ts';

const WINDOW_S = 10;
/** Demo load; half of it enters at the lab's frontend. */
const RATE = 40;
const FE = 'versionedApp:default:frontend:v1';
const V1 = 'versionedApp:default:backend:v1';
const V2 = 'versionedApp:default:backend:v2';

let demo: DemoMesh;
let prom: PrometheusProcess;
let dashboard: DashboardProcess;
let frontendAdmin = '';
let promStarted = 0;

const graph = (graphType = 'versionedApp') => dashboard.get(`/api/graph?graphType=${graphType}`, GraphSchema);
const sources = () => dashboard.get('/api/sources', SourcesSchema);
const edge = (g: Graph, target: string) => g.edges.find((e) => e.source === FE && e.target === target);

/** An instant query at `atMs`, as a map from the `by` label's value to the sample's value. */
async function promql(query: string, atMs: number, by: string): Promise<Map<string, number>> {
  const url = `${prom.url}/api/v1/query?${new URLSearchParams({ query, time: String(atMs / 1000) })}`;
  const body = (await (await fetch(url)).json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return new Map(body.data.result.map((r) => [r.metric[by] ?? '', Number(r.value[1])]));
}

beforeAll(async () => {
  // Fails first, with how to install it, when the prometheus package is missing.
  findTool('prometheus');
  demo = await startDemoMesh({
    workDir: mkdtempSync(join(tmpdir(), 'meshscope-prom-e2e-')),
    baseAddress: '127.0.85.',
    ratePerSecond: RATE,
  });
  const targets = (
    YAML.parse(readFileSync(demo.targetsPath, 'utf8')) as {
      targets: { namespace: string; workload: string; admin: string }[];
    }
  ).targets;
  frontendAdmin = new URL(targets.find((t) => t.workload === 'frontend')!.admin).host;
  prom = await startPrometheus({
    jobs: [
      {
        name: 'sidecars',
        metricsPath: '/stats/prometheus',
        targets: targets.map((t) => ({ address: new URL(t.admin).host })),
      },
    ],
  });
  await prom.waitForTargetsUp();
  promStarted = Date.now();
  dashboard = await startDashboard([
    '--targets',
    demo.targetsPath,
    '--prometheus',
    prom.url,
    '--window',
    String(WINDOW_S),
    '--scrape-interval',
    '1',
    '-l',
    'warning',
  ]);
}, 60_000);

afterAll(async () => {
  await dashboard?.stop();
  await prom?.stop();
  await demo?.stop();
});

describe('the demo mesh through Prometheus', () => {
  it('still lists every sidecar from its own scrapes, and names Prometheus as the traffic source', async () => {
    const { sidecars } = await dashboard.get('/api/sidecars', SidecarListSchema);
    expect(sidecars).toHaveLength(10);
    expect(sidecars.every((s) => s.up && s.lastError === null)).toBe(true);
    const s = await until('a successful refresh', sources, (s) => s.prometheus?.up === true);
    expect(s).toMatchObject({ traffic: 'prometheus', prometheus: { url: prom.url, lastError: null } });
  });

  it('draws frontend → backend v1/v2 at ≈ 0.8/0.2 of the load, with the figures PromQL gives', async () => {
    // A full window of Prometheus samples first (it scrapes every second).
    await new Promise((r) => setTimeout(r, Math.max(0, promStarted + (WINDOW_S + 2) * 1000 - Date.now())));
    const g = await until(
      'steady rates',
      () => graph(),
      (g) => {
        const sum = (edge(g, V1)?.traffic.rps ?? 0) + (edge(g, V2)?.traffic.rps ?? 0);
        return Math.abs(sum - RATE / 2) < RATE * 0.1;
      },
      15_000,
      () => dashboard.stderr,
    );
    const v1 = edge(g, V1)!;
    const v2 = edge(g, V2)!;
    expect(v1.weights).toEqual([expect.objectContaining({ cluster: 'backend_v1', configured: 0.8 })]);
    expect(v2.weights).toEqual([expect.objectContaining({ cluster: 'backend_v2', configured: 0.2 })]);
    expect(v1.weights[0]!.observed!).toBeGreaterThan(0.65);
    expect(v1.weights[0]!.observed!).toBeLessThan(0.95);
    expect(v1.traffic.status['5xx']).toBe(0);
    expect(v1.traffic.latencyMs?.p50).toBeGreaterThan(0);
    // The frontend's inbound listener receives the load once: its sidecar's egress listener (the
    // lab's `ingress_http`) carries the same requests on to the backends and is not inbound traffic.
    const fromOutside = g.edges.find((e) => e.source === 'inbound:default:frontend:v1' && e.target === FE);
    expect(Math.abs(fromOutside!.traffic.rps - RATE / 2)).toBeLessThan(RATE * 0.1);

    // The same figures from Prometheus directly, at the evaluation time the graph carries: usually
    // identical; a scrape taken before that time but stored after the dashboard asked (a few ms in
    // every second) can move a 10 s rate a little, v2's most (a fifth of the requests).
    const rates = await promql(
      `sum by (envoy_cluster_name) (rate(envoy_cluster_upstream_rq_total{instance="${frontendAdmin}"}[${WINDOW_S}s]))`,
      g.timestamp,
      'envoy_cluster_name',
    );
    expect(Math.abs(v1.traffic.rps - rates.get('backend_v1')!)).toBeLessThan(rates.get('backend_v1')! * 0.05);
    expect(Math.abs(v2.traffic.rps - rates.get('backend_v2')!)).toBeLessThan(rates.get('backend_v2')! * 0.15);
    const p50 = await promql(
      `histogram_quantile(0.5, sum by (envoy_cluster_name, le) (rate(envoy_cluster_upstream_rq_time_bucket{instance="${frontendAdmin}"}[${WINDOW_S}s])))`,
      g.timestamp,
      'envoy_cluster_name',
    );
    expect(v1.traffic.latencyMs!.p50).toBeCloseTo(p50.get('backend_v1')!, 0);
  });

  it('rebuilds the graph as each refresh completes: it always carries the last refresh’s evaluation time', async () => {
    // The cycle follows the refresh (no timer of its own that could run just before a refresh lands
    // and serve the previous figures for an interval). Read between two identical source statuses,
    // no refresh completed meanwhile, so the graph must be that refresh's.
    let checked = 0;
    const stamps = new Set<number>();
    const deadline = Date.now() + 6_000;
    while (Date.now() < deadline) {
      const before = (await sources()).prometheus!.lastSuccess;
      const g = await graph();
      const after = (await sources()).prometheus!.lastSuccess;
      if (before !== null && before === after) {
        expect(g.timestamp).toBe(before);
        stamps.add(before);
        checked++;
      }
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
    }
    // Reads spread over several refreshes (one a second) and over each one's interval.
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(stamps.size).toBeGreaterThanOrEqual(4);
  });

  it('keeps the last figures when Prometheus stops, and reports why in /api/sources', async () => {
    const before = await graph();
    const lastSuccess = (await sources()).prometheus!.lastSuccess!;
    await prom.stop();
    // A refresh under way when Prometheus stopped fails part way (connections cut); the next ones
    // find nobody listening.
    const s = await until(
      'refreshes to fail for want of Prometheus',
      sources,
      (s) => s.prometheus?.up === false && /ECONNREFUSED/.test(s.prometheus.lastError ?? ''),
      10_000,
    );
    expect(s.prometheus!.lastError).toMatch(/^(\d+) of \1 queries to http:\/\/127\.0\.0\.1:\d+ failed; /);
    expect(s.prometheus!.lastSuccess).toBeGreaterThanOrEqual(lastSuccess);
    expect(s.prometheus!.queryFailures).toBeGreaterThan(0);
    // Cycles go on (each failed refresh ends one), the traffic figures stay those of the last success:
    // the graph already shows it, since the cycle follows the refresh.
    const frozen = await graph();
    expect(frozen.timestamp).toBe(s.prometheus!.lastSuccess);
    await new Promise((r) => setTimeout(r, 2_500));
    const later = await graph();
    expect(later.timestamp).toBe(frozen.timestamp);
    expect(frozen.timestamp).toBeGreaterThanOrEqual(before.timestamp);
    expect(edge(later, V1)!.traffic).toEqual(edge(frozen, V1)!.traffic);
    expect(edge(later, V1)!.traffic.rps).toBeGreaterThan(0);
    const { sidecars } = await dashboard.get('/api/sidecars', SidecarListSchema);
    expect(sidecars.every((x) => x.up)).toBe(true);
  });
});
