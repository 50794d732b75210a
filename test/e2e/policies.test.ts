// Policy badges and the side panel's policy list in Chromium, against bin/meshscope scraping the
// sidecar lab with circuit breakers, a mirror, retries and a timeout (test/support/policy-lab.ts): the
// graph model's edges carry the badge glyphs and classes, the mirrored copies are their own dashed
// edge, and selecting an edge lists its policies in words with their figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_GLYPHS } from '../../client/src/graph/policy-decoration.ts';
import { GraphSchema } from '../../shared/api/graph.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { modelEdges, waitForGraph } from '../support/graph-model.ts';
import { startPolicyLab } from '../support/policy-lab.ts';
import { type ProxyProcess, stopAll } from '../support/processes.ts';
import { requireBuiltUi } from '../support/ui-build.ts';

const FRONTEND = 'workload:default:frontend';
const V2 = 'workload:default:backend-v2';
const SHADOW = 'workload:default:backend-shadow';
const PRIMARY = `${FRONTEND},${V2}`;
const MIRROR = `${FRONTEND},${SHADOW},mirror`;

let dir: string;
let proxy: ProxyProcess;
let dash: DashboardProcess;
let browser: BrowserSession;
let stopLoad: () => Promise<void>;

beforeAll(async () => {
  requireBuiltUi();
  dir = mkdtempSync(join(tmpdir(), 'meshscope-e2e-policies-'));
  const lab = await startPolicyLab(dir, { retriesAndTimeout: true });
  proxy = lab.proxy;
  [dash, browser] = await Promise.all([
    startDashboard(['--targets', lab.targets, '--scrape-interval', '1', '--window', '10', '-l', 'warning']),
    launchBrowser(),
  ]);
  // Light steady load, one request at a time (no breaker trips), for as long as the suite runs.
  let running = true;
  const url = `http://127.0.0.1:${proxy.listenerPort}/`;
  const loop = (async () => {
    while (running) {
      await fetch(url)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  stopLoad = async () => {
    running = false;
    await loop;
  };
  await until(
    'the primary and mirror edges in the API graph',
    () => dash.get('/api/graph?graphType=workload', GraphSchema),
    (g) => [PRIMARY, MIRROR].every((id) => g.edges.some((e) => e.id === id && e.traffic.rps > 0)),
    30_000,
    () => dash.stderr,
  );
}, 90_000);

afterAll(async () => {
  await stopLoad?.();
  await browser?.close();
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('policy badges on the graph page', () => {
  it('draws badge glyphs and classes on the edges, and the mirror as its own dashed edge', async () => {
    const { page } = browser;
    await page.goto(`${dash.base}/#/graph?type=workload`);
    await waitForGraph(page, 4);
    await expect
      .poll(async () => (await modelEdges(page)).map((e) => e.id))
      .toEqual(expect.arrayContaining([PRIMARY, MIRROR]));
    const edges = new Map((await modelEdges(page)).map((e) => [e.id, e]));
    const primary = edges.get(PRIMARY)!;
    for (const glyph of [
      BADGE_GLYPHS.circuitBreaker,
      BADGE_GLYPHS.retries,
      BADGE_GLYPHS.timeout,
      BADGE_GLYPHS.mirror,
    ]) {
      expect(primary.label, glyph).toContain(glyph);
    }
    expect(primary.classes).toEqual(
      expect.arrayContaining(['badge-circuitBreaker', 'badge-retries', 'badge-timeout', 'badge-mirror']),
    );
    const mirror = edges.get(MIRROR)!;
    expect(mirror.classes).toContain('mirror');
    expect(mirror.label.startsWith(BADGE_GLYPHS.mirror)).toBe(true);
    // The stylesheet draws it dashed.
    const lineStyle = await page.evaluate(
      (id) =>
        (window as unknown as { __meshscope: { cy: import('cytoscape').Core } }).__meshscope.cy
          .getElementById(id)
          .style('line-style'),
      MIRROR,
    );
    expect(lineStyle).toBe('dashed');
    expect(browser.pageErrors).toEqual([]);
  });

  it('lists the selected edge’s policies in words with their figures', async () => {
    const { page } = browser;
    await page.goto(`${dash.base}/#/graph?type=workload&edge=${encodeURIComponent(PRIMARY)}`);
    const panel = page.getByRole('complementary');
    const policies = panel.getByRole('region', { name: 'Policies' });
    await policies.waitFor();
    const row = (key: string) => policies.locator(`[data-policy="${key}"]`);
    await expect
      .poll(() => row('circuitBreaker').innerText())
      .toContain('DEFAULT: max 100 connections, 50 pending, 100 requests');
    expect(await row('circuitBreaker').innerText()).toContain('overflow (UO) 0 rps');
    expect(await row('retries').innerText()).toContain('up to 3 on 5xx');
    expect(await row('timeout').innerText()).toContain('3 s');
    expect(await row('mirror').innerText()).toContain('backend_shadow (100 %)');
    // The mirror edge's own panel says what it carries.
    await page.goto(`${dash.base}/#/graph?type=workload&edge=${encodeURIComponent(MIRROR)}`);
    await panel.locator('[data-mirror]').waitFor();
    expect(browser.pageErrors).toEqual([]);
  });
});
