// The dashboard's per-cycle cost at mesh scale: 1,000 simulated sidecars × 10 upstream clusters.
// Payloads are generated once (synthetic-mesh.ts); every 5 s cycle (simulated: time is compressed, the
// cycles run back to back) then does what the server does after its scrapes return: parse each
// sidecar's four admin payloads into a SidecarScrape (scrape-payloads.ts), feed the traffic source,
// build the workload graph (the SSE update) and record its points into the series history. Measured:
// process CPU per cycle, `buildGraph` latency per graph type with and without JSON serialization (the
// cost of GET /api/graph), and RSS after an hour of history (720 cycles). Prints a table, then ONE JSON
// object with the figures as the last line.
//
//   node bench/graph/run.ts [--workloads 1000] [--replicas 1] [--clusters 10] [--cycles 720]
//   node --max-semi-space-size=16 --max-old-space-size=384 bench/graph/run.ts    # the server's memory flags

import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildGraph } from '../../server/graph/graph-builder.ts';
import { buildRoutes } from '../../server/graph/routes-builder.ts';
import { SeriesHistory } from '../../server/graph/series-history.ts';
import type { Graph, GraphType } from '../../shared/api/graph.ts';
import { scrapeFromPayloads } from './scrape-payloads.ts';
import { type SidecarPayloads, syntheticMesh } from './synthetic-mesh.ts';
import { WindowTrafficSource } from './window-traffic-source.ts';

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '1' },
    clusters: { type: 'string', default: '10' },
    namespaces: { type: 'string', default: '20' },
    cycles: { type: 'string', default: '720' },
    interval: { type: 'string', default: '5' },
    window: { type: 'string', default: '60' },
    'graph-rounds': { type: 'string', default: '20' },
  },
});
const workloads = Number(values.workloads);
const replicas = Number(values.replicas);
const cycles = Number(values.cycles);
const intervalS = Number(values.interval);
const graphRounds = Number(values['graph-rounds']);
const mb = (bytes: number) => bytes / 1024 / 1024;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function stats(xs: number[]): { median: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

const genStart = performance.now();
const mesh = syntheticMesh({
  workloads,
  replicasPerWorkload: replicas,
  clustersPerSidecar: Number(values.clusters),
  namespaces: Number(values.namespaces),
  seed: 42,
});
const sidecars = mesh.inventory.sidecars;
let payloadBytes = 0;
for (const p of mesh.payloads.values()) {
  payloadBytes += p.stats.length + p.clustersJson.length + p.configDumpJson.length + p.runtimeJson.length;
}
let statsBytes = 0;
for (const p of mesh.payloads.values()) statsBytes += p.stats.length;
// As bytes off the V8 heap, decoded every cycle: a server holds a scrape's text only while it parses
// it, so keeping 28 MB of strings alive would inflate the heap the garbage collector sizes itself on.
type Encoded = Record<keyof SidecarPayloads, Buffer>;
const encoded = new Map<string, Encoded>();
for (const [id, p] of mesh.payloads) {
  encoded.set(id, {
    stats: Buffer.from(p.stats),
    clustersJson: Buffer.from(p.clustersJson),
    configDumpJson: Buffer.from(p.configDumpJson),
    runtimeJson: Buffer.from(p.runtimeJson),
  });
}
mesh.payloads.clear();
const decode = (e: Encoded): SidecarPayloads => ({
  stats: e.stats.toString(),
  clustersJson: e.clustersJson.toString(),
  configDumpJson: e.configDumpJson.toString(),
  runtimeJson: e.runtimeJson.toString(),
});
console.log(
  `mesh: ${sidecars.length} sidecars, ${mesh.clusterCount} clusters (${mesh.weightedClusterCount} weighted), ` +
    `${mb(payloadBytes).toFixed(1)} MB of payloads per cycle (${mb(statsBytes).toFixed(1)} MB stats), generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s`,
);

const source = new WindowTrafficSource(Number(values.window), intervalS);
const history = new SeriesHistory();
const t0 = 1_800_000_000_000;
const cycleCpu: number[] = [];
const scrapeWall: number[] = [];
const graphWall: number[] = [];
let graph: Graph | undefined;
const runStart = performance.now();
for (let cycle = 1; cycle <= cycles; cycle++) {
  const at = t0 + cycle * intervalS * 1000;
  const cpu = process.cpuUsage();
  const w0 = performance.now();
  for (const sc of sidecars) source.push(scrapeFromPayloads(sc.id, decode(encoded.get(sc.id)!), cycle, at));
  const w1 = performance.now();
  graph = buildGraph(mesh.inventory, source, { graphType: 'workload' });
  history.record(graph);
  const w2 = performance.now();
  cycleCpu.push(cpuMs(cpu));
  scrapeWall.push(w1 - w0);
  graphWall.push(w2 - w1);
  if (cycle % 60 === 0 || cycle === cycles) {
    const m = process.memoryUsage();
    console.log(
      `cycle ${cycle}/${cycles}: cpu ${cycleCpu[cycleCpu.length - 1]!.toFixed(0)} ms, rss ${mb(m.rss).toFixed(0)} MB ` +
        `(heap ${mb(m.heapUsed).toFixed(0)}/${mb(m.heapTotal).toFixed(0)}, array buffers ${mb(m.arrayBuffers).toFixed(0)}), ` +
        `${graph.nodes.length} nodes, ${graph.edges.length} edges, history ${history.size} ids`,
    );
  }
}
const runSeconds = (performance.now() - runStart) / 1000;
const mem = process.memoryUsage();
const peakRssMB = process.resourceUsage().maxRSS / 1024;
// What stays alive: RSS and heap after a full collection (gc exposed at run time for this one call).
setFlagsFromString('--expose-gc');
(runInNewContext('gc') as () => void)();
const afterGc = process.memoryUsage();
if (graph === undefined || graph.edges.length === 0) throw new Error('the bench built an empty graph');
const withTraffic = graph.edges.filter((e) => e.traffic.rps > 0).length;
const weighted = graph.edges.filter((e) => e.weights.length > 0).length;

// GET /api/graph: build (and serialize) each graph type on the final state.
const perType: Record<
  string,
  { buildMs: number; buildP95Ms: number; jsonMs: number; jsonMB: number; nodes: number; edges: number }
> = {};
const types: GraphType[] = ['workload', 'app', 'versionedApp', 'service'];
for (const graphType of types) {
  const build: number[] = [];
  const json: number[] = [];
  let g: Graph | undefined;
  let size = 0;
  for (let r = 0; r < graphRounds; r++) {
    const a = performance.now();
    g = buildGraph(mesh.inventory, source, { graphType });
    const b = performance.now();
    size = JSON.stringify(g).length;
    json.push(performance.now() - b);
    build.push(b - a);
  }
  perType[graphType] = {
    buildMs: round(stats(build).median),
    buildP95Ms: round(stats(build).p95),
    jsonMs: round(stats(json).median),
    jsonMB: round(mb(size), 2),
    nodes: g!.nodes.length,
    edges: g!.edges.length,
  };
}
const nsBuild: number[] = [];
for (let r = 0; r < graphRounds; r++) {
  const a = performance.now();
  buildGraph(mesh.inventory, source, { graphType: 'workload', namespaces: ['ns-00'] });
  nsBuild.push(performance.now() - a);
}
const routesBuild: number[] = [];
let routeCount = 0;
for (let r = 0; r < graphRounds; r++) {
  const a = performance.now();
  routeCount = buildRoutes(mesh.inventory, source).length;
  routesBuild.push(performance.now() - a);
}

// The first window of cycles fills the rate window; the steady state follows.
const steady = cycleCpu.slice(Math.min(cycleCpu.length - 1, 13));
const cpu = stats(steady);
const scrape = stats(scrapeWall.slice(13));
const graphStep = stats(graphWall.slice(13));
const worstApiMs = Math.max(...types.map((t) => perType[t]!.buildMs + perType[t]!.jsonMs));
console.log('');
console.log(`| step (steady state, median per 5 s cycle) | ms |`);
console.log(`|---|---:|`);
console.log(
  `| CPU of the whole cycle (process.cpuUsage) | ${cpu.median.toFixed(0)} (p95 ${cpu.p95.toFixed(0)}) |`,
);
console.log(
  `| parse + extract ${sidecars.length} scrapes, feed the store (wall) | ${scrape.median.toFixed(0)} |`,
);
console.log(`| build the workload graph + record history (wall) | ${graphStep.median.toFixed(0)} |`);
console.log('');
console.log(`| graph type | nodes | edges | buildGraph ms (p95) | JSON.stringify ms | JSON MB |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const t of types) {
  const p = perType[t]!;
  console.log(
    `| ${t} | ${p.nodes} | ${p.edges} | ${p.buildMs} (${p.buildP95Ms}) | ${p.jsonMs} | ${p.jsonMB} |`,
  );
}
console.log('');
console.log(
  `one namespace (workload): ${stats(nsBuild).median.toFixed(1)} ms; buildRoutes (${routeCount} routes): ${stats(routesBuild).median.toFixed(1)} ms`,
);
console.log(
  `after ${cycles} cycles (${((cycles * intervalS) / 60).toFixed(0)} simulated minutes, ${runSeconds.toFixed(0)} s real): ` +
    `rss ${mb(mem.rss).toFixed(0)} MB (peak ${peakRssMB.toFixed(0)}), heap used ${mb(mem.heapUsed).toFixed(0)} MB; ` +
    `after a full GC: rss ${mb(afterGc.rss).toFixed(0)} MB, heap used ${mb(afterGc.heapUsed).toFixed(0)} MB, ` +
    `array buffers ${mb(afterGc.arrayBuffers).toFixed(0)} MB; ${history.size} series; ` +
    `${withTraffic} edges with traffic, ${weighted} with weights`,
);
console.log(
  JSON.stringify({
    bench: 'graph',
    nodeFlags: process.execArgv.join(' '),
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
    buildGraphMs: perType['workload']!.buildMs,
    apiGraphWorstMs: round(worstApiMs),
    graphs: perType,
    oneNamespaceBuildMs: round(stats(nsBuild).median),
    buildRoutesMs: round(stats(routesBuild).median),
    rssMB: round(mb(mem.rss), 0),
    peakRssMB: round(peakRssMB, 0),
    rssAfterGcMB: round(mb(afterGc.rss), 0),
    liveHeapMB: round(mb(afterGc.heapUsed), 0),
    arrayBuffersMB: round(mb(afterGc.arrayBuffers), 0),
    historyIds: history.size,
    targets: { cycleCpuMs: (intervalS * 1000) / 2, graphMs: 100, rssMB: 500 },
  }),
);
