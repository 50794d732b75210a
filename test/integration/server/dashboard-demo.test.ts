// The dashboard end to end: the real `bin/meshscope` process discovering the demo mesh (real sidecars,
// real apps, real load) through a targets file, scraping it, and serving the graph. Figures are checked
// against what the load generator and the sidecars themselves report.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from '../../../server/demo/start-demo-mesh.ts';
import { type Graph, GraphSchema } from '../../../shared/api/graph.ts';
import { RouteListSchema } from '../../../shared/api/routes.ts';
import { SeriesSchema } from '../../../shared/api/series.ts';
import { SidecarListSchema } from '../../../shared/api/sidecars.ts';
import { freePort } from '../../support/processes.ts';

const ROOT = join(import.meta.dirname, '../../..');
let demo: DemoMesh;
let dashboard: ChildProcess;
let base = '';
let stderr = '';
let readyAt = 0;

async function until<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}\n${stderr}`);
}

const graph = async (qs = 'graphType=versionedApp'): Promise<Graph> =>
  GraphSchema.parse(await (await fetch(`${base}/api/graph?${qs}`)).json());

beforeAll(async () => {
  demo = await startDemoMesh({
    workDir: mkdtempSync(join(tmpdir(), 'meshscope-e2e-')),
    baseAddress: '127.0.81.',
    ratePerSecond: 40,
  });
  const port = await freePort();
  dashboard = spawn(
    join(ROOT, 'bin/meshscope'),
    [
      '--targets',
      demo.targetsPath,
      '--port',
      String(port),
      '--scrape-interval',
      '1',
      '--window',
      '10',
      '-l',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  dashboard.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  base = `http://127.0.0.1:${port}`;
  await until(
    'readyz',
    () => fetch(`${base}/readyz`).then((r) => r.status),
    (s) => s === 200,
  );
  readyAt = Date.now();
}, 60_000);

afterAll(async () => {
  dashboard?.kill('SIGTERM');
  await demo?.stop();
});

describe('the demo mesh as the dashboard sees it', () => {
  it('lists every sidecar as up', async () => {
    const { sidecars } = SidecarListSchema.parse(await (await fetch(`${base}/api/sidecars`)).json());
    expect(sidecars).toHaveLength(10);
    expect(sidecars.every((s) => s.up && s.lastError === null)).toBe(true);
  });

  it('draws the call graph: the lab and bookinfo, with versions', async () => {
    // Wait for a full window of samples so rates are steady.
    const g = await until(
      'a graph with the reviews → ratings edges',
      () => graph(),
      (g) => g.edges.filter((e) => e.target === 'versionedApp:bookinfo:ratings:v1').length === 2,
    );
    const pairs = g.edges.map((e) => `${e.source} -> ${e.target}`);
    for (const p of [
      'versionedApp:default:frontend:v1 -> versionedApp:default:backend:v1',
      'versionedApp:default:frontend:v1 -> versionedApp:default:backend:v2',
      'versionedApp:bookinfo:productpage:v1 -> versionedApp:bookinfo:details:v1',
      'versionedApp:bookinfo:productpage:v1 -> versionedApp:bookinfo:reviews:v1',
      'versionedApp:bookinfo:productpage:v1 -> versionedApp:bookinfo:reviews:v2',
      'versionedApp:bookinfo:productpage:v1 -> versionedApp:bookinfo:reviews:v3',
      'versionedApp:bookinfo:reviews:v2 -> versionedApp:bookinfo:ratings:v1',
      'versionedApp:bookinfo:reviews:v3 -> versionedApp:bookinfo:ratings:v1',
    ]) {
      expect(pairs).toContain(p);
    }
    expect(pairs).not.toContain('versionedApp:bookinfo:reviews:v1 -> versionedApp:bookinfo:ratings:v1');
    const app = await graph('graphType=app');
    expect(app.edges.map((e) => `${e.source} -> ${e.target}`)).toContain(
      'app:default:frontend -> app:default:backend',
    );
  });

  it('shows rates within tolerance of the load, and 80/20 configured beside ≈ 0.8/0.2 observed', async () => {
    // A full 10 s window of samples first (≈ 200 requests to the lab: the observed share's standard
    // deviation is then ≈ 0.03), then half the load goes to the lab's frontend (20 of 40 req/s).
    await new Promise((r) => setTimeout(r, Math.max(0, readyAt + 11_000 - Date.now())));
    const g = await until(
      'steady rates',
      () => graph(),
      (g) => {
        const fe = g.edges.filter((e) => e.source === 'versionedApp:default:frontend:v1');
        const sum = fe.reduce((a, e) => a + e.traffic.rps, 0);
        return Math.abs(sum - 20) < 4;
      },
      30_000,
    );
    const fe = g.edges.filter((e) => e.source === 'versionedApp:default:frontend:v1');
    const v1 = fe.find((e) => e.target.endsWith('backend:v1'))!;
    const v2 = fe.find((e) => e.target.endsWith('backend:v2'))!;
    expect(v1.weights).toEqual([expect.objectContaining({ cluster: 'backend_v1', configured: 0.8 })]);
    expect(v2.weights).toEqual([expect.objectContaining({ cluster: 'backend_v2', configured: 0.2 })]);
    expect(v1.weights[0]!.observed!).toBeGreaterThan(0.65);
    expect(v1.weights[0]!.observed!).toBeLessThan(0.95);
    // upstream_rq_total counts a request when it starts, upstream_rq_2xx when it ends: a scrape can fall
    // between the two, so the class rates trail the total by the requests in flight.
    expect(v1.traffic.status['2xx']).toBeGreaterThan(0.85 * v1.traffic.rps);
    expect(v1.traffic.status['5xx']).toBe(0);
    expect(v1.traffic.latencyMs?.p99).toBeGreaterThan(0);
    expect(v1.health).toBe('healthy');

    const { routes } = RouteListSchema.parse(await (await fetch(`${base}/api/routes`)).json());
    const lab = routes.find((r) => r.source.workload === 'frontend')!;
    expect(lab.runtimeKeyPrefix).toBe('routing.traffic_split.backend');
    expect(lab.clusters.map((c) => [c.name, c.effectiveWeight])).toEqual([
      ['backend_v1', 80],
      ['backend_v2', 20],
    ]);
  });

  it('filters by namespace: the edges touching it and their ends, the same figures as the full graph', async () => {
    // Both from one cycle: the full graph first, then the filter, retried until their timestamps agree.
    const [full, filtered] = await until(
      'a full and a filtered graph of one cycle',
      async () => [await graph(), await graph('graphType=versionedApp&namespaces=bookinfo')] as const,
      ([f, b]) => f.timestamp === b.timestamp && b.edges.length > 0,
    );
    expect(filtered.namespaces).toEqual(['bookinfo']);
    const nsOf = new Map(full.nodes.map((n) => [n.id, n.namespace]));
    const touching = full.edges.filter(
      (e) => nsOf.get(e.source) === 'bookinfo' || nsOf.get(e.target) === 'bookinfo',
    );
    expect(filtered.edges).toEqual(touching);
    expect(filtered.edges.length).toBeLessThan(full.edges.length);
    const ends = new Set(touching.flatMap((e) => [e.source, e.target]));
    expect(filtered.nodes).toEqual(full.nodes.filter((n) => ends.has(n.id) || n.namespace === 'bookinfo'));
  });

  it('keeps a sparkline history per edge', async () => {
    const g = await graph();
    const e = g.edges.find((x) => x.target.endsWith('backend:v1'))!;
    const s = await until(
      'three points of history',
      async () =>
        SeriesSchema.parse(
          await (await fetch(`${base}/api/edges/${encodeURIComponent(e.id)}/series`)).json(),
        ),
      (s) => s.points.length >= 3,
    );
    const [t0, rps] = s.points.at(-1)!;
    expect(t0).toBeGreaterThan(s.points[0]![0]);
    expect(rps).toBeGreaterThan(0);
  });

  it('shows 503s as connect failures when a backend sidecar dies, and the edge turns failing', async () => {
    const v2 = demo.workloads.find((w) => w.name === 'backend-v2')!;
    process.kill(v2.sidecarPid, 'SIGKILL');
    const g = await until(
      'connect-failure 503s on frontend → backend v2',
      () => graph(),
      (g) => {
        const e = g.edges.find((x) => x.target === 'versionedApp:default:backend:v2');
        return (e?.traffic.causes503.connectFailure ?? 0) > 0.5;
      },
      30_000,
    );
    const e = g.edges.find((x) => x.target === 'versionedApp:default:backend:v2')!;
    expect(e.traffic.rate503).toBeGreaterThan(0);
    expect(e.traffic.causes503.overflow).toBe(0);
    expect(e.traffic.causes503.noHealthyUpstream).toBe(0);
    expect(e.health).toBe('failing');
    const { sidecars } = SidecarListSchema.parse(await (await fetch(`${base}/api/sidecars`)).json());
    const dead = sidecars.find((s) => s.workload === 'backend-v2')!;
    expect(dead.up).toBe(false);
    expect(dead.lastError).toMatch(/ECONNREFUSED|connect/i);
  });
});
