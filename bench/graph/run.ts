// The dashboard's per-cycle cost at mesh scale: 1,000 simulated sidecars × 10 upstream clusters.
// Payloads are generated once (synthetic-mesh.ts); every 5 s cycle (simulated: time is compressed, the
// cycles run back to back) then does what the server does after its scrapes return: parse each
// sidecar's four admin payloads (read from files, as bytes arrive from sockets) into a SidecarScrape
// (scrape-payloads.ts), feed the metrics store (server/metrics/metrics-store.ts), then the server's
// own `Dashboard.cycle()`: every graph type built and recorded into the series history. Measured: process CPU per cycle,
// `buildGraph` latency per graph type, cold (the first build after new scrapes computes every rate)
// and warm (rates already computed this cycle), with JSON serialization (the cost of GET /api/graph),
// the longest the event loop waits during a cycle (what a request arriving then waits), GET /api/graph
// for another window through the server's path (the first request, then once the cycles keep the view),
// and memory after an hour of history (720 cycles). Prints a table, then ONE JSON object with the
// figures as the last line.
//
//   node bench/graph/run.ts [--workloads 1000] [--replicas 1] [--clusters 10] [--cycles 720]
//   node --max-semi-space-size=8 --heap-growing-percent=10 bench/graph/run.ts   # bin/meshscope's V8 flags
//   node --max-semi-space-size=16 bench/graph/run.ts      # a smaller young generation only
//   node bench/graph/run.ts --store-history 120            # the store without its hour of coarse samples

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Dashboard } from '../../server/dashboard.ts';
import { CachedTrafficSource } from '../../server/graph/cached-traffic-source.ts';
import { buildGraph } from '../../server/graph/graph-builder.ts';
import { buildRoutes } from '../../server/graph/routes-builder.ts';
import { MetricsStore } from '../../server/metrics/metrics-store.ts';
import type { Graph, GraphType } from '../../shared/api/graph.ts';
import { longestStall, mb, round, stats, timed } from './measure.ts';
import { scrapeFromPayloads } from './scrape-payloads.ts';
import { type SidecarPayloads, syntheticMesh } from './synthetic-mesh.ts';

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '1' },
    clusters: { type: 'string', default: '10' },
    namespaces: { type: 'string', default: '20' },
    cycles: { type: 'string', default: '720' },
    interval: { type: 'string', default: '5' },
    window: { type: 'string', default: '60' },
    /** The metrics store's reach for `?window=` (its default: an hour of coarse samples). */
    'store-history': { type: 'string', default: '3600' },
    'graph-rounds': { type: 'string', default: '20' },
  },
});
const cycles = Number(values.cycles);
const intervalS = Number(values.interval);
const graphRounds = Number(values['graph-rounds']);
// --- the mesh, its payloads written to files and read back every cycle: a server holds a scrape's bytes
// only while it reads and parses them, so neither 28 MB of live strings (which would inflate the heap the
// garbage collector sizes itself on) nor 28 MB of buffers held for the whole run stand in for the network.
const [mesh, genMs] = timed(() =>
  syntheticMesh({
    workloads: Number(values.workloads),
    replicasPerWorkload: Number(values.replicas),
    clustersPerSidecar: Number(values.clusters),
    namespaces: Number(values.namespaces),
    seed: 42,
  }),
);
const sidecars = mesh.inventory.sidecars;
const payloadDir = mkdtempSync(join(tmpdir(), 'meshscope-bench-graph-'));
process.on('exit', () => rmSync(payloadDir, { recursive: true, force: true }));
const PAYLOADS: (keyof SidecarPayloads)[] = ['stats', 'clustersJson', 'configDumpJson', 'runtimeJson'];
const fileOf = new Map<string, string>();
let payloadBytes = 0;
let statsBytes = 0;
for (const [id, p] of mesh.payloads) {
  const base = join(payloadDir, String(fileOf.size));
  fileOf.set(id, base);
  for (const key of PAYLOADS) {
    const bytes = Buffer.from(p[key]);
    writeFileSync(`${base}.${key}`, bytes);
    payloadBytes += bytes.length;
    if (key === 'stats') statsBytes += bytes.length;
  }
}
mesh.payloads.clear();
const read = (id: string): SidecarPayloads => {
  const base = fileOf.get(id)!;
  return {
    stats: readFileSync(`${base}.stats`, 'utf8'),
    clustersJson: readFileSync(`${base}.clustersJson`, 'utf8'),
    configDumpJson: readFileSync(`${base}.configDumpJson`, 'utf8'),
    runtimeJson: readFileSync(`${base}.runtimeJson`, 'utf8'),
  };
};
console.log(
  `mesh: ${sidecars.length} sidecars, ${mesh.clusterCount} clusters (${mesh.weightedClusterCount} weighted), ` +
    `${mb(payloadBytes).toFixed(1)} MB of payloads per cycle (${mb(statsBytes).toFixed(1)} MB of stats), ` +
    `generated in ${(genMs / 1000).toFixed(1)} s`,
);

// --- the cycles
/** The other window `GET /api/graph?window=` asks for below (the UI offers 60, 300, 600, 1800, 3600). */
const OTHER_WINDOW = Number(values.window) === 300 ? 600 : 300;
const t0 = 1_800_000_000_000;
let clock = t0;
const store = new MetricsStore({
  windowSeconds: Number(values.window),
  historySeconds: Number(values['store-history']),
  intervalMs: intervalS * 1000,
  now: () => clock,
});
const cached = new CachedTrafficSource(store);
// The server's own per-cycle step (server/main.ts → Dashboard.cycle): every graph type built, cached
// for the API and recorded into the sparkline history.
const dashboard = new Dashboard({
  inventory: {
    current: () => mesh.inventory,
    onChange: () => {},
    start: async () => {},
    stop: async () => {},
  },
  traffic: store,
  statuses: () => [],
  windows: [Number(values.window), OTHER_WINDOW],
});
const cycleCpu: number[] = [];
const scrapeWall: number[] = [];
const graphWall: number[] = [];
const stalls: number[] = [];
const runStart = performance.now();

async function runCycle(cycle: number): Promise<void> {
  clock = t0 + cycle * intervalS * 1000;
  const cpu = process.cpuUsage();
  const w0 = performance.now();
  for (const sc of sidecars) store.ingest(scrapeFromPayloads(sc.id, read(sc.id), cycle, clock));
  const w1 = performance.now();
  stalls.push(await longestStall(() => dashboard.cycle()));
  const w2 = performance.now();
  const d = process.cpuUsage(cpu);
  cycleCpu.push((d.user + d.system) / 1000);
  scrapeWall.push(w1 - w0);
  graphWall.push(w2 - w1);
  if (cycle % 60 === 0 || cycle === cycles) {
    const m = process.memoryUsage();
    console.log(
      `cycle ${cycle}/${cycles}: cpu ${cycleCpu[cycleCpu.length - 1]!.toFixed(0)} ms, rss ${mb(m.rss).toFixed(0)} MB ` +
        `(heap ${mb(m.heapUsed).toFixed(0)}/${mb(m.heapTotal).toFixed(0)}, array buffers ${mb(m.arrayBuffers).toFixed(0)}), ` +
        `${dashboard.historyStats().ids} series`,
    );
  }
}
for (let cycle = 1; cycle <= cycles; cycle++) await runCycle(cycle);
const runSeconds = (performance.now() - runStart) / 1000;
const mem = process.memoryUsage();
const peakRssMB = process.resourceUsage().maxRSS / 1024;
const storeMB = mb(store.stats().bytes);
// What stays alive: memory after a full collection (gc exposed at run time for this one call).
setFlagsFromString('--expose-gc');
(runInNewContext('gc') as () => void)();
const afterGc = process.memoryUsage();
// That the bench built what it generated, checked on the JSON the API sends (after the memory figures,
// which the parsed copy would otherwise inflate).
const graph = JSON.parse(
  dashboard.graphJson({ graphType: 'workload', namespaces: [], windowSeconds: undefined }),
) as Graph;
if (graph.edges.filter((e) => e.traffic.rps > 0).length < mesh.clusterCount / 2) {
  throw new Error('the bench built a graph without the traffic it generated');
}

// --- GET /api/graph on the final state. What the server answers a request for one of the four graphs:
// the JSON text the cycle built and kept (`cachedMs`). For a request the cycle's cache does not
// hold (a namespace filter, another window): a build, cold (a fresh cache: every rate computed, as the
// first build after the cycle's scrapes) or warm (the cycle's build already computed them), then JSON.
interface TypeFigures {
  cachedMs: number;
  coldMs: number;
  warmMs: number;
  warmP95Ms: number;
  jsonMs: number;
  jsonMB: number;
  nodes: number;
  edges: number;
}
const perType: Partial<Record<GraphType, TypeFigures>> = {};
buildGraph(mesh.inventory, cached, { graphType: 'workload' }); // warms `cached` as the cycle's build would
const types: GraphType[] = ['workload', 'app', 'versionedApp', 'service'];
for (const graphType of types) {
  const cold: number[] = [];
  const warm: number[] = [];
  const json: number[] = [];
  let g: Graph | undefined;
  let size = 0;
  const cachedRounds: number[] = [];
  for (let r = 0; r < graphRounds; r++) {
    cachedRounds.push(
      timed(() => dashboard.graphJson({ graphType, namespaces: [], windowSeconds: undefined }).length)[1],
    );
    cold.push(timed(() => buildGraph(mesh.inventory, new CachedTrafficSource(store), { graphType }))[1]);
    let ms: number;
    [g, ms] = timed(() => buildGraph(mesh.inventory, cached, { graphType }));
    warm.push(ms);
    const graphNow = g;
    [size, ms] = timed(() => JSON.stringify(graphNow).length);
    json.push(ms);
  }
  perType[graphType] = {
    cachedMs: round(stats(cachedRounds).median),
    coldMs: round(stats(cold).median),
    warmMs: round(stats(warm).median),
    warmP95Ms: round(stats(warm).p95),
    jsonMs: round(stats(json).median),
    jsonMB: round(mb(size), 2),
    nodes: g!.nodes.length,
    edges: g!.edges.length,
  };
}
const oneNs = stats(
  Array.from(
    { length: graphRounds },
    () =>
      timed(() => buildGraph(mesh.inventory, cached, { graphType: 'workload', namespaces: ['ns-00'] }))[1],
  ),
).median;
// A namespace filter through the server's path (Dashboard.graphJson): the cycle's full graph read back
// once, then each filter derived from it. The first of the cycle pays the read; the others do not.
const filterRounds = Array.from({ length: 20 }, (_, i) => `ns-${String(i).padStart(2, '0')}`).map(
  (ns) =>
    timed(() =>
      dashboard.graphJson({ graphType: 'workload', namespaces: [ns], windowSeconds: undefined }),
    )[1],
);
const filteredFirstMs = filterRounds[0]!;
const filteredMs = stats(filterRounds.slice(1)).median;
let routeCount = 0;
const routesMs = stats(
  Array.from(
    { length: graphRounds },
    () => timed(() => (routeCount = buildRoutes(mesh.inventory, cached).length))[1],
  ),
).median;

// --- GET /api/graph?window=300 through the server's path (Dashboard.graphJson). The first request for a
// view nobody asked for builds it: the first of the window also computes the window's rates (`first`),
// the other types reuse them (`firstOfType`). From then on, every cycle builds the view with its own
// graphs while it is asked for (or an event stream watches it), and a request reads its JSON (`kept`).
const otherFirst: number[] = [];
for (const graphType of types) {
  otherFirst.push(
    timed(() => dashboard.graphJson({ graphType, namespaces: [], windowSeconds: OTHER_WINDOW }))[1],
  );
}
const otherCycle = cycles + 1;
const cpuBefore = cycleCpu.length;
await runCycle(otherCycle);
const otherCycleCpuMs = cycleCpu[cpuBefore]!;
const otherStallMs = stalls[stalls.length - 1]!;
const otherKept = types.map(
  (graphType) =>
    timed(() => dashboard.graphJson({ graphType, namespaces: [], windowSeconds: OTHER_WINDOW }))[1],
);
// The 20 namespace filters asked for above are in use too: that cycle derived them from its graph.
const filteredKeptMs = Math.max(
  ...Array.from(
    { length: 20 },
    (_, i) =>
      timed(() =>
        dashboard.graphJson({
          graphType: 'workload',
          namespaces: [`ns-${String(i).padStart(2, '0')}`],
          windowSeconds: undefined,
        }),
      )[1],
  ),
);

// The first window of cycles fills the rate window; the steady state follows.
const skip = Math.min(cycles - 1, Math.ceil(Number(values.window) / intervalS) + 1);
const cpu = stats(cycleCpu.slice(skip, cycles));
const scrape = stats(scrapeWall.slice(skip, cycles));
const graphStep = stats(graphWall.slice(skip, cycles));
const stall = stats(stalls.slice(skip, cycles));
const w = perType.workload!;
const apiCachedWorst = Math.max(...types.map((t) => perType[t]!.cachedMs));
const apiWarmWorst = Math.max(...types.map((t) => perType[t]!.warmMs + perType[t]!.jsonMs));
const apiColdWorst = Math.max(...types.map((t) => perType[t]!.coldMs + perType[t]!.jsonMs));

console.log('');
console.log('| per 5 s cycle, steady state | median ms | p95 ms |');
console.log('|---|---:|---:|');
console.log(`| process CPU of the whole cycle | ${cpu.median.toFixed(0)} | ${cpu.p95.toFixed(0)} |`);
console.log(
  `| wall: decode, parse, extract ${sidecars.length} scrapes, ingest | ${scrape.median.toFixed(0)} | ${scrape.p95.toFixed(0)} |`,
);
console.log(
  `| wall: Dashboard.cycle (4 graph types, cold, + history) | ${graphStep.median.toFixed(0)} | ${graphStep.p95.toFixed(0)} |`,
);
console.log(
  `| longest wait for the event loop during Dashboard.cycle | ${stall.median.toFixed(0)} | ${stall.p95.toFixed(0)} |`,
);
console.log('');
console.log(
  '| graph type | nodes | edges | cached + JSON ms | buildGraph cold ms | warm ms (p95) | JSON ms | JSON MB |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const t of types) {
  const p = perType[t]!;
  console.log(
    `| ${t} | ${p.nodes} | ${p.edges} | ${p.cachedMs} | ${p.coldMs} | ${p.warmMs} (${p.warmP95Ms}) | ${p.jsonMs} | ${p.jsonMB} |`,
  );
}
console.log('');
console.log(
  `one namespace through the server (from the cycle's graph): first ${filteredFirstMs.toFixed(1)} ms, then ${filteredMs.toFixed(1)} ms`,
);
console.log(
  `one namespace of 20 (workload, warm): ${oneNs.toFixed(1)} ms; buildRoutes (${routeCount} routes): ${routesMs.toFixed(1)} ms`,
);
console.log(
  `?window=${OTHER_WINDOW}: first request ${otherFirst.map((x) => x.toFixed(0)).join(' / ')} ms (${types.join(' / ')}); ` +
    `next cycle with the 4 views and 20 namespace filters kept: cpu ${otherCycleCpuMs.toFixed(0)} ms, longest wait ${otherStallMs.toFixed(0)} ms; ` +
    `then requests ${otherKept.map((x) => x.toFixed(1)).join(' / ')} ms, filters ≤ ${filteredKeptMs.toFixed(2)} ms`,
);
console.log(
  `after ${cycles} cycles (${((cycles * intervalS) / 60).toFixed(0)} simulated minutes in ${runSeconds.toFixed(0)} s): ` +
    `rss ${mb(mem.rss).toFixed(0)} MB (peak ${peakRssMB.toFixed(0)}); after a full GC: live heap ${mb(afterGc.heapUsed).toFixed(0)} MB, ` +
    `array buffers ${mb(afterGc.arrayBuffers).toFixed(0)} MB (metrics store ${storeMB.toFixed(0)}, history ${mb(dashboard.historyStats().bytes).toFixed(0)}), ` +
    `${dashboard.historyStats().ids} series`,
);
console.log(
  JSON.stringify({
    bench: 'graph',
    nodeFlags: process.execArgv.join(' '),
    storeHistorySeconds: Number(values['store-history']),
    sidecars: sidecars.length,
    clusters: mesh.clusterCount,
    cycles,
    loadAverage: round(loadavg()[0]!, 2),
    payloadMBPerCycle: round(mb(payloadBytes), 1),
    cycleCpuMs: round(cpu.median, 0),
    cycleCpuP95Ms: round(cpu.p95, 0),
    cycleCpuShareOfOneCore: round(cpu.median / (intervalS * 1000), 3),
    scrapeStepMs: round(scrape.median, 0),
    graphStepMs: round(graphStep.median, 0),
    buildGraphColdMs: w.coldMs,
    buildGraphWarmMs: w.warmMs,
    apiGraphCachedWorstMs: round(apiCachedWorst),
    apiGraphWarmWorstMs: round(apiWarmWorst),
    apiGraphColdWorstMs: round(apiColdWorst),
    cycleLongestWaitMs: round(stall.median),
    cycleLongestWaitP95Ms: round(stall.p95),
    otherWindow: OTHER_WINDOW,
    apiOtherWindowFirstMs: round(otherFirst[0]!),
    apiOtherWindowFirstOfTypeWorstMs: round(Math.max(...otherFirst.slice(1))),
    apiOtherWindowKeptWorstMs: round(Math.max(...otherKept), 2),
    cycleCpuWithKeptViewsMs: round(otherCycleCpuMs, 0),
    cycleLongestWaitWithKeptViewsMs: round(otherStallMs),
    graphs: perType,
    oneNamespaceMs: round(oneNs),
    apiFilteredFirstMs: round(filteredFirstMs),
    apiFilteredMs: round(filteredMs),
    apiFilteredKeptWorstMs: round(filteredKeptMs, 2),
    buildRoutesMs: round(routesMs),
    rssMB: round(mb(mem.rss), 0),
    peakRssMB: round(peakRssMB, 0),
    liveHeapMB: round(mb(afterGc.heapUsed), 0),
    arrayBuffersMB: round(mb(afterGc.arrayBuffers), 0),
    metricsStoreMB: round(storeMB, 0),
    historySeries: dashboard.historyStats().ids,
    historyMB: round(mb(dashboard.historyStats().bytes), 0),
    targets: { cycleCpuMs: (intervalS * 1000) / 2, apiGraphMs: 100, rssMB: 500 },
  }),
);
