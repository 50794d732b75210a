// The graph page's cost on large meshes, in the real built UI (client/dist) in headless Chromium without
// a GPU (Debian's chromium, driven by playwright-core). A stand-in API (ui-server.ts) serves synthetic
// mesh-shaped graphs (synthetic-graph.ts) and pushes live updates as server-sent events, like the
// dashboard does once per scrape cycle. For each size it measures (page-probes.ts says how):
// - first frame: from the graph data reaching the page to the first frame that draws all of it
//   (median over several page loads);
// - live update: a `graph` event that changes every edge's rate, until the first frame in which every
//   edge label shows the new value (median over several updates), and that no node moved and zoom and
//   pan stayed (no re-layout on update);
// - dragging: a mouse drag that pans the canvas, frame times from requestAnimationFrame.
// Targets (issue 4): 500 nodes / 1,500 edges: first frame ≤ 1 s, update ≤ 200 ms, drag at 60 fps, no
// re-layout; 1,000 / 3,000: ≤ 1.5 s, ≤ 400 ms. Prints a table, then ONE JSON line with the figures.
//
//   node bench/ui/run.ts [--sizes 500x1500,1000x3000] [--loads 3] [--updates 5] [--seed 1]
//   (the UI must be built: npm run prepare)

import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import type { SidecarList } from '../../shared/api/sidecars.ts';
import { launchBrowser } from '../../test/support/browser.ts';
import { emptyCanvasPoint } from '../../test/support/graph-model.ts';
import { requireBuiltUi } from '../../test/support/ui-build.ts';
import {
  armRelabel,
  collectRelabel,
  firstFrame,
  installProbe,
  snapshot,
  startFrameRecording,
  stopFrameRecording,
} from './page-probes.ts';
import { graphOf, type SyntheticMesh, syntheticMesh } from './synthetic-graph.ts';
import { startUiServer } from './ui-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500x1500,1000x3000' },
    loads: { type: 'string', default: '3' },
    updates: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const loads = Number(values.loads);
const updates = Number(values.updates);
const sizes = values.sizes.split(',').map((s) => {
  const [nodes, edges] = s.split('x').map(Number);
  if (!nodes || !edges) throw new Error(`--sizes: '${s}' is not NODESxEDGES`);
  return { nodes, edges };
});

/** Issue 4's targets; sizes without one are measured and reported only. */
const TARGETS: Record<number, { firstFrameMs: number; updateMs: number; dragFps?: number }> = {
  500: { firstFrameMs: 1000, updateMs: 200, dragFps: 60 },
  1000: { firstFrameMs: 1500, updateMs: 400 },
};
/**
 * "Drag at 60 fps": frames drawn per second over the whole drag (long frames included), with the
 * display's own jitter allowed: headless Chromium paces animation frames at 60 Hz, so 55 is a drag that
 * dropped fewer than one frame in twelve.
 */
const SIXTY_FPS_MEASURED = 55;

const round1 = (x: number) => Math.round(x * 10) / 10;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s[Math.floor((s.length - 1) / 2)]!;
};
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

function sidecarsOf(mesh: SyntheticMesh): SidecarList {
  const now = Date.now();
  return {
    sidecars: mesh.entities.map((e) => ({
      id: `${e.namespace}/${e.app}-${e.version}/0`,
      namespace: e.namespace,
      workload: `${e.app}-${e.version}`,
      pod: `${e.app}-${e.version}-0`,
      kind: 'envoy',
      adminUrl: 'http://192.0.2.1:15000/',
      up: true,
      lastSuccess: now,
      lastAttempt: now,
      lastDurationMs: 5,
      lastBytes: 20_000,
      lastError: null,
    })),
  };
}

async function until<T>(what: string, fn: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measureFirstFrame(
  page: Page,
  url: string,
): Promise<{ dataToFrame: number; navToFrame: number; markUsed: boolean }> {
  // Through a blank page: going to the same URL again would only be a same-document hash change.
  await page.goto('about:blank');
  await page.goto(url);
  const f = await until(
    'the first full frame of the graph',
    async () => {
      const r = await page.evaluate(firstFrame);
      return r.frameAt !== null && r.dataAt !== null ? r : null;
    },
    60_000,
  );
  return { dataToFrame: f.frameAt! - f.dataAt!, navToFrame: f.frameAt!, markUsed: f.markUsed };
}

interface SizeResult {
  nodes: number;
  edges: number;
  payloadKB: number;
  firstFrameMs: number;
  firstFrameRunsMs: number[];
  navigationToFirstFrameMs: number;
  /** The first frame as the UI marks it (meshscope:first-render), not the probe's first full render. */
  firstFrameFromUiMark: boolean;
  updateMs: number;
  updateRunsMs: number[];
  positionsKept: boolean;
  viewportKept: boolean;
  dragFps: number;
  dragMedianFrameMs: number;
  dragP95FrameMs: number;
  dragMaxFrameMs: number;
  dragRenders: number;
  dragPanned: boolean;
  unservedApi: string[];
}

async function measure(nodes: number, edges: number): Promise<SizeResult> {
  const mesh = syntheticMesh({ nodes, edges, seed: Number(values.seed) });
  let round = 0;
  const server = await startUiServer({
    staticDir: join(ROOT, 'client/dist'),
    graph: (type) => graphOf(mesh, type, round),
    sidecars: () => sidecarsOf(mesh),
  });
  const browser = await launchBrowser({ timeoutMs: 60_000 });
  try {
    const { page } = browser;
    await browser.context.addInitScript(installProbe, nodes);
    const url = `${server.url}/#/graph`;
    const runs: { dataToFrame: number; navToFrame: number; markUsed: boolean }[] = [];
    for (let i = 0; i < loads; i++) runs.push(await measureFirstFrame(page, url));
    // Let whatever follows the first frame (fit, idle callbacks, the SSE connection) settle.
    await page.waitForTimeout(1500);
    await until('the live stream', async () => (server.streams() > 0 ? true : null), 10_000);

    const updateRuns: number[] = [];
    let positionsKept = true;
    let viewportKept = true;
    for (let u = 0; u < updates; u++) {
      const before = await page.evaluate(snapshot);
      await page.evaluate(armRelabel, 20_000);
      round++;
      server.push();
      const r = await page.evaluate(collectRelabel);
      updateRuns.push(r.ms);
      const after = await page.evaluate(snapshot);
      positionsKept &&=
        after.positions.length === before.positions.length &&
        after.positions.every((p, i) => p === before.positions[i]);
      viewportKept &&= after.zoom === before.zoom && after.pan.every((p, i) => p === before.pan[i]);
      await page.waitForTimeout(300);
    }

    const start = await emptyCanvasPoint(page);
    if (!start) throw new Error('no empty spot on the canvas to start a pan drag from');
    const panBefore = (await page.evaluate(snapshot)).pan;
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.evaluate(startFrameRecording);
    // A user's drag: a small step per display frame for about two seconds.
    for (let i = 1; i <= 120; i++) {
      await page.mouse.move(start.x + Math.sin(i / 20) * 150 + i, start.y + i * 0.8);
      await page.waitForTimeout(16);
    }
    const frames = await page.evaluate(stopFrameRecording);
    await page.mouse.up();
    const panAfter = (await page.evaluate(snapshot)).pan;
    const deltas = frames.times.slice(1).map((t, i) => t - frames.times[i]!);
    const span = frames.times.at(-1)! - frames.times[0]!;
    await browser.screenshot(`bench-ui-${nodes}`);
    return {
      nodes,
      edges,
      payloadKB: Math.round(JSON.stringify(graphOf(mesh, 'versionedApp')).length / 1024),
      firstFrameMs: round1(median(runs.map((r) => r.dataToFrame))),
      firstFrameRunsMs: runs.map((r) => round1(r.dataToFrame)),
      navigationToFirstFrameMs: round1(median(runs.map((r) => r.navToFrame))),
      firstFrameFromUiMark: runs.every((r) => r.markUsed),
      updateMs: round1(median(updateRuns)),
      updateRunsMs: updateRuns.map(round1),
      positionsKept,
      viewportKept,
      dragFps: round1((deltas.length / span) * 1000),
      dragMedianFrameMs: round1(median(deltas)),
      dragP95FrameMs: round1(quantile(deltas, 0.95)),
      dragMaxFrameMs: round1(Math.max(...deltas)),
      dragRenders: frames.renders,
      dragPanned: panAfter.some((p, i) => p !== panBefore[i]),
      unservedApi: [...server.unserved].sort(),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

requireBuiltUi();
const loadBefore = loadavg()[0]!;
const results: SizeResult[] = [];
for (const s of sizes) results.push(await measure(s.nodes, s.edges));

const verdicts = results.map((r) => {
  const t = TARGETS[r.nodes];
  return {
    nodes: r.nodes,
    firstFrameMet: t ? r.firstFrameMs <= t.firstFrameMs : null,
    updateMet: t ? r.updateMs <= t.updateMs : null,
    dragMet: t?.dragFps ? r.dragFps >= SIXTY_FPS_MEASURED : null,
    noRelayoutMet: r.positionsKept && r.viewportKept,
  };
});
const yes = (b: boolean | null) => (b === null ? '' : b ? ' (met)' : ' (MISSED)');
console.log(
  '| nodes/edges | payload | first frame | nav → first frame | update | drag fps (median / p95 / max frame) | layout kept |',
);
console.log('|---|---:|---:|---:|---:|---:|---|');
results.forEach((r, i) => {
  const v = verdicts[i]!;
  console.log(
    `| ${r.nodes}/${r.edges} | ${r.payloadKB} KB | ${r.firstFrameMs} ms${yes(v.firstFrameMet)} | ${r.navigationToFirstFrameMs} ms | ` +
      `${r.updateMs} ms${yes(v.updateMet)} | ${r.dragFps} (${r.dragMedianFrameMs} / ${r.dragP95FrameMs} / ${r.dragMaxFrameMs} ms)${yes(v.dragMet)} | ` +
      `${v.noRelayoutMet ? 'yes' : 'NO'} |`,
  );
  if (r.unservedApi.length > 0)
    console.log(`  the UI also asked for (404 here): ${r.unservedApi.join(', ')}`);
  if (!r.dragPanned) console.log('  the drag did not pan the canvas: frame times are of an idle page');
});
console.log(
  JSON.stringify({
    bench: 'ui',
    loadAverage: { before: round1(loadBefore), after: round1(loadavg()[0]!) },
    loads,
    updates,
    results,
    verdicts,
  }),
);
