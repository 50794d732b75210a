// Throughput of our Prometheus text parser on a ~5 MB Envoy-shaped scrape, against the two npm parsers
// NOTES.md measured (parse-prometheus-text-format, the most used one, and prom2javascript, the fastest
// correct one) and a bare `text.split('\n')` floor, in the same process and interleaved round by round,
// so machine noise hits all of them alike. Targets: at least 8× parse-prometheus-text-format and 3×
// prom2javascript. Prints a table and the ratios, then ONE JSON object with the figures as the last line.
//
//   node bench/parse/run.ts [--target-mb 5] [--rounds 15]      (= npm run bench:parse)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getMetricsFromIterator } from 'prom2javascript';
import { groupHistograms } from '../../server/metrics/group-histograms.ts';
import { parsePrometheusText } from '../../server/metrics/prom-text-parser.ts';

// shared/ sits beside the repository checkout.
const FIXTURE = fileURLToPath(
  new URL(
    '../../../shared/fixtures/envoy/envoy_stats_prometheus_consul_dataplane_merged.txt',
    import.meta.url,
  ),
);
const WARMUP_ROUNDS = 3;
const TARGET_VS_PPTF = 8;
const TARGET_VS_P2J = 3;

/** parse-prometheus-text-format ships CommonJS without types: one function, text → families. */
type PptfFamily = { name: string; type: string; metrics: { labels?: Record<string, string> }[] };
const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (
  text: string,
) => PptfFamily[];

const { values } = parseArgs({
  options: { 'target-mb': { type: 'string', default: '5' }, rounds: { type: 'string', default: '15' } },
});
const targetBytes = Number(values['target-mb']) * 1024 * 1024;
const rounds = Number(values.rounds);

/**
 * The Envoy section of the Consul dataplane scrape, with every per-cluster series repeated for renamed
 * clusters (`local_app-1`, …) until the text reaches the target size. Families stay contiguous and
 * in Envoy's order (family, then cluster), as a proxy with many upstream clusters would print them.
 */
function buildPayload(source: string, target: number): { text: string; clusters: number } {
  const lines = source.split('\n');
  const envoyStart = lines.findIndex((l) => l.startsWith('# TYPE envoy_'));
  const blocks: { header: string[]; perCluster: string[]; other: string[] }[] = [];
  for (const line of lines.slice(envoyStart)) {
    if (line.startsWith('#')) {
      blocks.push({ header: [line], perCluster: [], other: [] });
      continue;
    }
    const block = blocks[blocks.length - 1];
    if (block === undefined || line === '') continue;
    (line.includes('envoy_cluster_name="') ? block.perCluster : block.other).push(line);
  }
  const fixedBytes = blocks.reduce((n, b) => n + [...b.header, ...b.other].join('\n').length + 1, 0);
  const perCopyBytes = blocks.reduce((n, b) => n + b.perCluster.join('\n').length + 1, 0);
  const copies = Math.max(1, Math.round((target - fixedBytes) / perCopyBytes));
  const out: string[] = [];
  for (const block of blocks) {
    out.push(...block.header, ...block.other);
    for (let k = 0; k < copies; k++) {
      for (const line of block.perCluster) {
        out.push(
          k === 0 ? line : line.replace(/envoy_cluster_name="([^"]*)"/, `envoy_cluster_name="$1-${k}"`),
        );
      }
    }
  }
  return { text: `${out.join('\n')}\n`, clusters: 4 * copies };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

type Contender = { name: string; run: (text: string) => Promise<number> | number };

const OURS = 'meshscope parsePrometheusText';
const OURS_HISTOGRAMS = 'meshscope parse + groupHistograms';
const PPTF = 'parse-prometheus-text-format 1.1.1';
const P2J = 'prom2javascript 0.2.0';
const SPLIT = "text.split('\\n')";

const contenders: Contender[] = [
  { name: OURS, run: (t) => parsePrometheusText(t).samples.length },
  {
    name: OURS_HISTOGRAMS,
    run: (t) => {
      const parsed = parsePrometheusText(t);
      return parsed.samples.length + groupHistograms(parsed).length;
    },
  },
  { name: PPTF, run: (t) => parsePrometheusTextFormat(t).length },
  {
    name: P2J,
    run: async (t) => Object.keys(await getMetricsFromIterator(t.split('\n')[Symbol.iterator]())).length,
  },
  { name: SPLIT, run: (t) => t.split('\n').length },
];

/** How many `envoy_cluster_upstream_rq_time` histogram series each parser hands back. */
function histogramSeriesKept(text: string): { ours: number; pptf: number } {
  const ours = groupHistograms(parsePrometheusText(text)).filter(
    (h) => h.family === 'envoy_cluster_upstream_rq_time',
  ).length;
  const family = parsePrometheusTextFormat(text).find((f) => f.name === 'envoy_cluster_upstream_rq_time');
  return { ours, pptf: family?.metrics.length ?? 0 };
}

async function main(): Promise<void> {
  const source = readFileSync(FIXTURE, 'utf8');
  const { text, clusters } = buildPayload(source, targetBytes);
  const mb = Buffer.byteLength(text) / (1024 * 1024);

  // Sanity: the payload is clean for us, and the figures compare like with like.
  const parsed = parsePrometheusText(text);
  if (parsed.errorCount !== 0) throw new Error(`payload has ${parsed.errorCount} parse errors`);
  const p2jFamilies = Object.keys(await getMetricsFromIterator(text.split('\n')[Symbol.iterator]())).length;
  const pptfFamilies = parsePrometheusTextFormat(text).length;
  const kept = histogramSeriesKept(text);
  // prom2javascript's value pattern has no NaN: the Go summaries at the top of the real Consul scrape
  // (`{quantile="0.5"} NaN`) make it reject the whole scrape, so the payload is the Envoy section only.
  let p2jOnFixture = 'ok';
  await getMetricsFromIterator(source.split('\n')[Symbol.iterator]()).catch((e: unknown) => {
    p2jOnFixture = `rejects the unmodified fixture: ${e instanceof Error ? e.message.slice(0, 80) : String(e)}`;
  });

  const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  let sink = 0;
  for (let round = 0; round < WARMUP_ROUNDS + rounds; round++) {
    for (const c of contenders) {
      // A fresh, flat copy per run: V8 caches split() results per subject string, and a string every
      // contender has already scanned would flatter whoever runs second.
      // An untimed run first: the timed one then pays for collecting this contender's own previous
      // result (a 5 MB parse lives long enough to reach the old generation), not another's. Without
      // it whichever parser ran second paid 6–7 ms for the collection of the first one's garbage.
      // (Forcing gc() between runs instead made V8 flush the parsers' compiled code.)
      sink += await c.run(Buffer.from(text).toString());
      const input = Buffer.from(text).toString();
      const t0 = performance.now();
      sink += await c.run(input);
      const ms = performance.now() - t0;
      if (round >= WARMUP_ROUNDS) times.get(c.name)!.push(ms);
    }
  }

  const ours = median(times.get(OURS)!);
  const rows = new Map(
    contenders.map((c) => {
      const ms = median(times.get(c.name)!);
      const row = {
        name: c.name,
        medianMs: +ms.toFixed(2),
        mbPerS: +(mb / (ms / 1000)).toFixed(1),
        vsOurs: +(ms / ours).toFixed(2),
      };
      return [c.name, row] as const;
    }),
  );
  const row = (name: string) => rows.get(name)!;
  const vsPptf = row(PPTF).medianMs / row(OURS).medianMs;
  const vsP2j = row(P2J).medianMs / row(OURS).medianMs;

  console.log(
    `payload: ${mb.toFixed(2)} MB, ${parsed.samples.length} samples, ${parsed.families.size} families, ${clusters} clusters`,
  );
  console.log(
    `families: ours ${parsed.families.size} (histogram _bucket/_sum/_count in one family), parse-prometheus-text-format ${pptfFamilies}, prom2javascript ${p2jFamilies}`,
  );
  console.log(
    `upstream_rq_time histogram series returned: ours ${kept.ours} (one per cluster), parse-prometheus-text-format ${kept.pptf} (labelled histograms merged)`,
  );
  console.log(`prom2javascript on ${FIXTURE.split('/').pop()}: ${p2jOnFixture}`);
  console.log(
    `rounds: ${rounds} (+${WARMUP_ROUNDS} warm-up), interleaved; node ${process.version}; load average ${loadavg()[0]!.toFixed(2)} (2 cores shared: compare ratios, not absolute MB/s)`,
  );
  console.log('');
  console.log(
    `${'parser'.padEnd(36)}${'median ms'.padStart(11)}${'MB/s'.padStart(9)}${'time vs ours'.padStart(14)}`,
  );
  for (const r of rows.values()) {
    console.log(
      `${r.name.padEnd(36)}${r.medianMs.toFixed(2).padStart(11)}${r.mbPerS.toFixed(1).padStart(9)}${`${r.vsOurs.toFixed(2)}×`.padStart(14)}`,
    );
  }
  console.log('');
  const verdict = (ratio: number, target: number) => (ratio >= target ? 'met' : 'MISSED');
  console.log(
    `ours vs parse-prometheus-text-format: ${vsPptf.toFixed(2)}× faster (target ≥ ${TARGET_VS_PPTF}×: ${verdict(vsPptf, TARGET_VS_PPTF)})`,
  );
  console.log(
    `ours vs prom2javascript:              ${vsP2j.toFixed(2)}× faster (target ≥ ${TARGET_VS_P2J}×: ${verdict(vsP2j, TARGET_VS_P2J)})`,
  );
  if (sink === 0) console.log('');
  console.log(
    JSON.stringify({
      bench: 'parse',
      payloadMB: +mb.toFixed(2),
      samples: parsed.samples.length,
      rounds,
      loadAverage: +loadavg()[0]!.toFixed(2),
      oursMBps: row(OURS).mbPerS,
      oursWithHistogramsMBps: row(OURS_HISTOGRAMS).mbPerS,
      parsePrometheusTextFormatMBps: row(PPTF).mbPerS,
      prom2javascriptMBps: row(P2J).mbPerS,
      splitMBps: row(SPLIT).mbPerS,
      speedupVsParsePrometheusTextFormat: +vsPptf.toFixed(2),
      speedupVsProm2javascript: +vsP2j.toFixed(2),
      targetVsParsePrometheusTextFormatMet: vsPptf >= TARGET_VS_PPTF,
      targetVsProm2javascriptMet: vsP2j >= TARGET_VS_P2J,
      splitFractionOfOurs: +(row(SPLIT).medianMs / row(OURS).medianMs).toFixed(3),
      histogramSeriesOurs: kept.ours,
      histogramSeriesParsePrometheusTextFormat: kept.pptf,
    }),
  );
}

await main();
