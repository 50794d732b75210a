// The Dashboard's views: the cycle's four graphs, views kept for clients (asked for lately, or watched
// by an event stream), what a request reads while a cycle rebuilds, and the per-scrape caches of the
// builder following new scrapes. Over the real metrics store and bench/graph's Envoy-shaped mesh.
import { describe, expect, it } from 'vitest';
import { scrapeFromPayloads } from '../../../bench/graph/scrape-payloads.ts';
import { syntheticMesh } from '../../../bench/graph/synthetic-mesh.ts';
import type { GraphRequest } from '../../../server/api/dashboard-core.ts';
import { Dashboard } from '../../../server/dashboard.ts';
import { KEEP_ASKED_CYCLES as KEEP, MAX_KEPT_VIEWS } from '../../../server/graph/view-cache.ts';
import { MetricsStore } from '../../../server/metrics/metrics-store.ts';
import type { SidecarScrape } from '../../../server/model/sidecar-data.ts';
import type { Graph } from '../../../shared/api/graph.ts';

async function setup() {
  const mesh = syntheticMesh({
    workloads: 12,
    replicasPerWorkload: 1,
    clustersPerSidecar: 4,
    namespaces: 3,
    seed: 5,
  });
  let clock = 1_800_000_000_000;
  let n = 0;
  const store = new MetricsStore({ now: () => clock });
  const dashboard = new Dashboard({
    inventory: {
      current: () => mesh.inventory,
      onChange: () => {},
      start: async () => {},
      stop: async () => {},
    },
    traffic: store,
    statuses: () => [],
    windows: [60, 300, 600],
  });
  /** New scrapes of every sidecar (changed first by `edit`, if given), without a cycle. */
  const ingest = (edit?: (s: SidecarScrape) => void) => {
    n++;
    clock += 5000;
    for (const sc of mesh.inventory.sidecars) {
      const s = scrapeFromPayloads(sc.id, mesh.payloads.get(sc.id)!, n, clock);
      edit?.(s);
      store.ingest(s);
    }
  };
  const scrape = async (edit?: (s: SidecarScrape) => void) => {
    ingest(edit);
    await dashboard.cycle();
  };
  await scrape();
  await scrape();
  return { mesh, dashboard, ingest, scrape };
}

const view = (graphType: GraphRequest['graphType'], windowSeconds?: number, namespaces: string[] = []) => ({
  graphType,
  namespaces,
  windowSeconds,
});

describe('Dashboard views', () => {
  it('builds a view asked for with the next cycles, so requests read the cycle’s text', async () => {
    const { dashboard, scrape } = await setup();
    const before = dashboard.graphStats().builds;
    const first = JSON.parse(dashboard.graphJson(view('workload', 300))) as Graph;
    expect(first.windowSeconds).toBe(300);
    expect(first.edges.some((e) => e.traffic.rps > 0)).toBe(true);
    expect(dashboard.graphStats()).toMatchObject({
      builds: { cycle: before.cycle, request: before.request + 1 },
      keptViews: 1,
      watchedViews: 0,
    });

    await scrape();
    // The cycle built its four and the kept one; the request after it builds nothing.
    expect(dashboard.graphStats().builds.cycle).toBe(before.cycle + 5);
    const next = JSON.parse(dashboard.graphJson(view('workload', 300))) as Graph;
    expect(next.timestamp).toBeGreaterThan(first.timestamp);
    expect(dashboard.graphStats().builds.request).toBe(before.request + 1);
    // Its namespace filters derive from it: no build either.
    const filtered = JSON.parse(dashboard.graphJson(view('workload', 300, ['ns-01']))) as Graph;
    expect(filtered.nodes.length).toBeGreaterThan(0);
    expect(filtered.nodes.length).toBeLessThan(next.nodes.length);
    expect(dashboard.graphStats().builds.request).toBe(before.request + 1);
  });

  it('derives the namespace filters in use from the graphs the cycle holds', async () => {
    const { dashboard, scrape } = await setup();
    const filtered = view('app', undefined, ['ns-02']);
    const first = JSON.parse(dashboard.graphJson(filtered)) as Graph;
    expect(first.nodes.some((n) => n.namespace === 'ns-02')).toBe(true);
    const before = dashboard.graphStats();
    expect(before.filters.request).toBe(1);
    expect(before.keptViews).toBe(1);
    await scrape();
    const after = dashboard.graphStats();
    expect(after.filters).toEqual({ cycle: before.filters.cycle + 1, request: 1 });
    // The cycle's four graphs only: the filter needed no build.
    expect(after.builds.cycle - before.builds.cycle).toBe(4);
    const next = JSON.parse(dashboard.graphJson(filtered)) as Graph;
    expect(next.timestamp).toBeGreaterThan(first.timestamp);
    expect(dashboard.graphStats().filters.request).toBe(1);
    // What a filtered build gives.
    const full = JSON.parse(dashboard.graphJson(view('app'))) as Graph;
    expect(next.nodes.length).toBeLessThan(full.nodes.length);
    expect(
      next.edges.every((e) => e.source.split(':')[1] === 'ns-02' || e.target.split(':')[1] === 'ns-02'),
    ).toBe(true);
  });

  it('keeps at most MAX_KEPT_VIEWS views; past that, views are made on demand', async () => {
    const { dashboard, scrape } = await setup();
    for (let i = 0; i < MAX_KEPT_VIEWS + 10; i++)
      dashboard.graphJson(view('workload', undefined, [`ns-${i}`]));
    expect(dashboard.graphStats().keptViews).toBe(MAX_KEPT_VIEWS);
    const before = dashboard.graphStats().filters;
    await scrape();
    expect(dashboard.graphStats().filters.cycle - before.cycle).toBe(MAX_KEPT_VIEWS);
    // One past the cap still gets its answer, for the new cycle.
    const extra = JSON.parse(dashboard.graphJson(view('workload', undefined, ['ns-70']))) as Graph;
    const full = JSON.parse(dashboard.graphJson(view('workload'))) as Graph;
    expect(extra.timestamp).toBe(full.timestamp);
    expect(dashboard.graphStats().filters.request).toBe(before.request + 1);
  });

  it('forgets a view nobody asked for in a minute, and keeps a watched one until its stream ends', async () => {
    const { dashboard, scrape } = await setup();
    dashboard.graphJson(view('app', 300));
    for (let i = 0; i < KEEP; i++) await scrape();
    expect(dashboard.graphStats().keptViews).toBe(1);
    await scrape();
    expect(dashboard.graphStats().keptViews).toBe(0);
    let cycleBuilds = dashboard.graphStats().builds.cycle;
    await scrape();
    expect(dashboard.graphStats().builds.cycle - cycleBuilds).toBe(4);

    const unwatch = dashboard.watch(view('service', 600));
    for (let i = 0; i < KEEP + 2; i++) await scrape();
    expect(dashboard.graphStats()).toMatchObject({ keptViews: 1, watchedViews: 1 });
    cycleBuilds = dashboard.graphStats().builds.cycle;
    await scrape();
    expect(dashboard.graphStats().builds.cycle - cycleBuilds).toBe(5);
    unwatch();
    unwatch(); // twice is once
    expect(dashboard.graphStats()).toMatchObject({ keptViews: 1, watchedViews: 0 });
    for (let i = 0; i < KEEP + 1; i++) await scrape();
    expect(dashboard.graphStats().keptViews).toBe(0);
  });

  it('serves the default window spelled out (`?window=60`) from the cycle’s own graph', async () => {
    const { dashboard } = await setup();
    const before = dashboard.graphStats();
    expect(dashboard.graphJson(view('versionedApp', 60))).toBe(dashboard.graphJson(view('versionedApp')));
    expect(dashboard.graphStats()).toEqual(before);
  });

  it('answers with the previous cycle’s text while a cycle rebuilds, then with the new one', async () => {
    const { dashboard, ingest } = await setup();
    const kept = dashboard.graphJson(view('workload', 300));
    const keptFiltered = dashboard.graphJson(view('workload', 300, ['ns-02']));
    const old = JSON.parse(kept) as Graph;
    ingest();
    const cycle = dashboard.cycle();
    // The cycle has started (its first slice of figures ran) and given the event loop back.
    expect(dashboard.graphJson(view('workload', 300))).toBe(kept);
    expect(dashboard.graphJson(view('workload', 300, ['ns-02']))).toBe(keptFiltered);
    await cycle;
    const fresh = JSON.parse(dashboard.graphJson(view('workload', 300))) as Graph;
    const freshFiltered = JSON.parse(dashboard.graphJson(view('workload', 300, ['ns-02']))) as Graph;
    expect(fresh.timestamp).toBeGreaterThan(old.timestamp);
    expect(freshFiltered.timestamp).toBe(fresh.timestamp);
  });

  it('gives the event loop back between the steps of a cycle', async () => {
    const { dashboard, ingest } = await setup();
    ingest();
    let turns = 0;
    let done = false;
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await dashboard.cycle();
    done = true;
    // A slice of figures, then a build, its history and its JSON for each of the four types.
    expect(turns).toBeGreaterThanOrEqual(1 + 4 * 3);
  });

  it('runs one more cycle when asked while one runs', async () => {
    const { dashboard, ingest } = await setup();
    const before = dashboard.graphStats().builds.cycle;
    ingest();
    const a = dashboard.cycle();
    const b = dashboard.cycle();
    const c = dashboard.cycle();
    await Promise.all([a, b, c]);
    expect(dashboard.graphStats().builds.cycle - before).toBe(8);
  });

  it('makes a new view for a request the same as the synchronous path would', async () => {
    const { dashboard } = await setup();
    const text = await dashboard.graphJsonAsync(view('service', 600, ['ns-00']));
    expect(JSON.parse(text)).toEqual(JSON.parse(dashboard.graphJson(view('service', 600, ['ns-00']))));
    expect((JSON.parse(text) as Graph).windowSeconds).toBe(600);
  });

  it('follows new scrapes: changed hosts and runtime weights show in the next cycle', async () => {
    const { mesh, dashboard, scrape } = await setup();
    const workloadGraph = () => JSON.parse(dashboard.graphJson(view('workload'))) as Graph;
    const caller = mesh.inventory.sidecars[0]!;
    const before = workloadGraph();
    const route = before.edges.find(
      (e) => e.source === `workload:${caller.namespace}:${caller.workload}` && e.weights.length > 0,
    );
    expect(route).toBeDefined();
    const weight = route!.weights[0]!;
    // The route's first cluster now goes to another workload's pod, and its runtime weight is 0.
    const other = mesh.inventory.workloads.find(
      (w) => !route!.target.endsWith(`:${w.name}`) && w.name !== caller.workload,
    )!;
    await scrape((s) => {
      if (s.targetId !== caller.id) return;
      s.hosts.set(weight.cluster, [
        { address: other.addresses[0]!, port: 80, hostname: undefined, healthy: true, flags: [], weight: 1 },
      ]);
      const prefix = s.routes.find((r) => r.clusters.some((c) => c.name === weight.cluster))!
        .runtimeKeyPrefix!;
      s.runtime.set(`${prefix}.${weight.cluster}`, '0');
    });
    const after = workloadGraph();
    const moved = after.edges.find(
      (e) => e.source === route!.source && e.target === `workload:${other.namespace}:${other.name}`,
    );
    expect(moved?.clusters).toContain(weight.cluster);
    expect(moved?.weights.find((w) => w.cluster === weight.cluster)?.configured).toBe(0);
  });
});
