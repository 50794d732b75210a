// Views other than the cycle's own, end to end: bin/meshscope scraping the seed lab's real proxy under
// paced load. A request for another window is built once; the cycles after it build that view
// themselves, so further requests are answered from the cycle's text (the dashboard's /metrics count
// builds by who asked). An event stream keeps its view built while it is open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphSchema } from '../../../shared/api/graph.ts';
import { type DashboardProcess, startDashboard, until } from '../../support/dashboard-process.ts';
import { seedLabWorkloads, writeLabTargets } from '../../support/lab-targets.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { labBootstrap } from '../policies/lab-bootstrap.ts';

let dir: string;
let v1: BackendProcess;
let v2: BackendProcess;
let proxy: ProxyProcess;
let dash: DashboardProcess;
let load: PacedLoad;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-views-'));
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  proxy = await startProxy(labBootstrap({ backend_v1: v1.port, backend_v2: v2.port }).doc);
  const targets = writeLabTargets(dir, proxy.adminUrl, seedLabWorkloads(v1.port, v2.port));
  load = pacedLoad(`http://127.0.0.1:${proxy.listenerPort}/`, 20);
  dash = await startDashboard(['--targets', targets, '--scrape-interval', '0.3', '--window', '10']);
}, 60_000);

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The dashboard's own figures: graph builds by who asked, and kept views by whether one is watched. */
async function graphMetrics(): Promise<{ cycle: number; request: number; kept: number; watched: number }> {
  const text = await (await fetch(`${dash.base}/metrics`)).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  return {
    cycle: value(/^meshscope_graph_builds_total\{by="cycle"\} (\S+)$/m),
    request: value(/^meshscope_graph_builds_total\{by="request"\} (\S+)$/m),
    kept: value(/^meshscope_graph_views_kept\{watched="false"\} (\S+)$/m),
    watched: value(/^meshscope_graph_views_kept\{watched="true"\} (\S+)$/m),
  };
}

describe('graph views kept by the cycle', () => {
  it('builds another window once for a request, then with every cycle while it is asked for', async () => {
    await until(
      'traffic in the default window',
      () => dash.get('/api/graph?graphType=app', GraphSchema),
      (g) => g.edges.some((e) => e.traffic.rps > 0),
    );
    const before = await graphMetrics();
    expect(before.request).toBe(0);
    const first = await dash.get('/api/graph?graphType=app&window=300', GraphSchema);
    expect(first.windowSeconds).toBe(300);
    expect(first.edges.some((e) => e.traffic.rps > 0)).toBe(true);
    const asked = await graphMetrics();
    expect(asked).toMatchObject({ request: 1, kept: 1, watched: 0 });
    // Later answers are newer graphs, and none of them needed a build of its own.
    const later = await until(
      'a newer graph for window=300',
      () => dash.get('/api/graph?graphType=app&window=300', GraphSchema),
      (g) => g.timestamp > first.timestamp,
    );
    expect(later.windowSeconds).toBe(300);
    const after = await graphMetrics();
    expect(after.request).toBe(1);
    expect(after.cycle).toBeGreaterThan(asked.cycle + 4);
    // The default window spelled out is the cycle's own view: no build, nothing kept.
    expect((await dash.get('/api/graph?graphType=app&window=10', GraphSchema)).windowSeconds).toBe(10);
    expect(await graphMetrics()).toMatchObject({ request: 1, kept: 1 });
  });

  it('keeps the view an event stream watches while it is open', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${dash.base}/api/events?graphType=service&window=600`, {
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    try {
      // Two graph events: the first answer, then one the cycle built.
      while ((received.match(/^event: graph$/gm) ?? []).length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        received += value;
      }
      const graphs = [...received.matchAll(/^event: graph\ndata: (.*)$/gm)].map((m) =>
        GraphSchema.parse(JSON.parse(m[1]!)),
      );
      expect(graphs.map((g) => [g.graphType, g.windowSeconds])).toEqual([
        ['service', 600],
        ['service', 600],
      ]);
      expect((await graphMetrics()).watched).toBe(1);
    } finally {
      controller.abort();
    }
    await until('the stream to be forgotten', graphMetrics, (m) => m.watched === 0);
  });
});
