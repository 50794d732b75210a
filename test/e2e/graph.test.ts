// The graph page in Chromium against `meshscope --demo`: what the user sees and the Cytoscape model
// behind it (window.__meshscope.cy). The demo mesh is the seed lab (frontend → backend v1/v2, 80/20)
// and bookinfo (productpage → details, reviews v1–v3; reviews v2/v3 → ratings), under live load.
import { copyFileSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_GLYPHS } from '../../client/src/graph/policy-decoration.ts';
import { type Graph, GraphSchema } from '../../shared/api/graph.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import {
  countGraphEvents,
  emptyCanvasPoint,
  graphBox,
  graphEvents,
  modelEdges,
  modelNodes,
  pagePointOf,
  viewport,
  waitForGraph,
  waitForGraphEvents,
  waitForStillGraph,
} from '../support/graph-model.ts';
import { demoArgs, requireBuiltUi } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.91.10–19). */
const SUBNET = '127.0.91';

const v = (ns: string, app: string, version: string) => `versionedApp:${ns}:${app}:${version}`;
const FRONTEND = v('default', 'frontend', 'v1');
const BACKEND_V1 = v('default', 'backend', 'v1');
const BACKEND_V2 = v('default', 'backend', 'v2');
const DEMO_NODES = [
  FRONTEND,
  BACKEND_V1,
  BACKEND_V2,
  v('bookinfo', 'productpage', 'v1'),
  v('bookinfo', 'details', 'v1'),
  v('bookinfo', 'reviews', 'v1'),
  v('bookinfo', 'reviews', 'v2'),
  v('bookinfo', 'reviews', 'v3'),
  v('bookinfo', 'ratings', 'v1'),
  v('bookinfo', 'details', 'v2'),
];
const edge = (source: string, target: string) => `${source},${target}`;
const LAB_V1 = edge(FRONTEND, BACKEND_V1);
const LAB_V2 = edge(FRONTEND, BACKEND_V2);
const DEMO_EDGES = [
  LAB_V1,
  LAB_V2,
  edge(v('bookinfo', 'productpage', 'v1'), v('bookinfo', 'details', 'v1')),
  edge(v('bookinfo', 'productpage', 'v1'), v('bookinfo', 'reviews', 'v1')),
  edge(v('bookinfo', 'productpage', 'v1'), v('bookinfo', 'reviews', 'v2')),
  edge(v('bookinfo', 'productpage', 'v1'), v('bookinfo', 'reviews', 'v3')),
  edge(v('bookinfo', 'reviews', 'v2'), v('bookinfo', 'ratings', 'v1')),
  edge(v('bookinfo', 'reviews', 'v3'), v('bookinfo', 'ratings', 'v1')),
];

/** The requests-per-second figure in an edge label ("⚖ 16.2 rps"), or null when there is none. */
function rpsOf(label: string): number | null {
  const m = /(\d+(?:\.\d+)?) rps/.exec(label);
  return m ? Number(m[1]) : null;
}

let demo: DashboardProcess;
let browser: BrowserSession;

const apiGraph = (): Promise<Graph> => demo.get('/api/graph?graphType=versionedApp', GraphSchema);

/** Opens the graph page (at `query`, a deep link's part after `?`) and waits for the demo's nodes. */
async function openGraph(query = '', page = browser.page): Promise<void> {
  await page.goto(`${demo.base}/#/graph${query ? `?${query}` : ''}`);
  await waitForGraph(page, DEMO_NODES.length);
  await waitForStillGraph(page);
}

beforeAll(async () => {
  requireBuiltUi();
  [demo, browser] = await Promise.all([startDashboard(demoArgs(SUBNET), 60_000), launchBrowser()]);
  await countGraphEvents(browser.context);
  // The whole demo call graph has traffic once every edge shows in the API's graph.
  await until(
    'every demo edge in the API graph',
    apiGraph,
    (g) => DEMO_EDGES.every((id) => g.edges.some((e) => e.id === id)),
    30_000,
    () => demo.stderr,
  );
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the graph page on the demo mesh', () => {
  it('shows the demo’s nodes and edges with live rates', async () => {
    const { page } = browser;
    await openGraph();
    const ids = (await modelNodes(page)).map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(DEMO_NODES));
    // The page draws what the API serves: every node and edge of the API's graph is in the model.
    const api = await apiGraph();
    expect(ids).toEqual(expect.arrayContaining(api.nodes.map((n) => n.id)));
    await expect
      .poll(async () => (await modelEdges(page)).map((e) => e.id))
      .toEqual(expect.arrayContaining(DEMO_EDGES));
    // Requests per second is the default label; every demo edge carries traffic.
    const edges = new Map((await modelEdges(page)).map((e) => [e.id, e]));
    for (const id of DEMO_EDGES) expect(rpsOf(edges.get(id)!.label), id).toBeGreaterThan(0);
    // The lab's two edges come from one weighted route: badged.
    expect(edges.get(LAB_V1)!.label).toContain('⚖');
    expect(edges.get(LAB_V2)!.label).toContain('⚖');
    // Live: the stream is up, and the figures move with the next updates.
    await page
      .getByRole('status')
      .filter({ hasText: /updates: live/i })
      .waitFor();
    const labelsBefore = (await modelEdges(page)).map((e) => e.label).join('|');
    await waitForGraphEvents(page, 3);
    await expect
      .poll(async () => (await modelEdges(page)).map((e) => e.label).join('|'))
      .not.toBe(labelsBefore);
    expect(await page.getByLabel('Edge labels').inputValue()).toBe('rps');
    await browser.screenshot('graph-demo');
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the labs’ policies: badges on bookinfo’s edges, the mirror to details v2 dashed', async () => {
    const { page } = browser;
    await openGraph();
    const pp = v('bookinfo', 'productpage', 'v1');
    const toRatings = edge(v('bookinfo', 'reviews', 'v2'), v('bookinfo', 'ratings', 'v1'));
    const toReviews = edge(pp, v('bookinfo', 'reviews', 'v2'));
    const mirrorId = `${edge(pp, v('bookinfo', 'details', 'v2'))},mirror`;
    await expect
      .poll(async () => (await modelEdges(page)).map((e) => e.id))
      .toEqual(expect.arrayContaining([toRatings, toReviews, mirrorId]));
    const edges = new Map((await modelEdges(page)).map((e) => [e.id, e]));
    expect(edges.get(toRatings)!.label).toContain(BADGE_GLYPHS.circuitBreaker);
    expect(edges.get(toReviews)!.classes).toEqual(expect.arrayContaining(['badge-retries', 'badge-timeout']));
    expect(edges.get(mirrorId)!.classes).toContain('mirror');
    const lineStyle = await page.evaluate(
      (id) =>
        (window as unknown as { __meshscope: { cy: import('cytoscape').Core } }).__meshscope.cy
          .getElementById(id)
          .style('line-style'),
      mirrorId,
    );
    expect(lineStyle).toBe('dashed');
    expect(browser.pageErrors).toEqual([]);
  });

  it('opens the panel of an edge clicked on the canvas', async () => {
    const { page } = browser;
    await openGraph();
    const at = await pagePointOf(page, LAB_V1);
    await page.mouse.click(at.x, at.y);
    await expect
      .poll(async () => (await modelEdges(page)).filter((e) => e.selected).map((e) => e.id))
      .toEqual([LAB_V1]);
    const panel = page.getByRole('complementary');
    await panel.waitFor();
    const title = await panel.getByRole('heading', { level: 2 }).first().innerText();
    expect(title).toMatch(/frontend.*→.*backend v1/);
    // The edge's route: configured 80 % beside the observed share, and the way into the editor.
    const weights = panel.getByRole('region', { name: 'Weighted routes' });
    await expect
      .poll(() => weights.getByRole('row').filter({ hasText: 'backend_v1' }).innerText())
      .toMatch(/80/);
    await weights.getByRole('button', { name: 'Edit weights' }).waitFor();
    expect(await panel.innerText()).toMatch(/rps|req/i);
    // The selection is in the URL, so the view can be linked to.
    expect(decodeURIComponent(page.url())).toContain(`edge=${LAB_V1}`);
    const shot = await browser.screenshot('graph-edge-panel');
    // The README's screenshot: `npm run docs:screenshot` runs this step with MESHSCOPE_DOCS_SCREENSHOT set.
    if (process.env['MESHSCOPE_DOCS_SCREENSHOT'])
      copyFileSync(shot, new URL('../../docs/screenshot-graph.png', import.meta.url));
    // Clicking the background clears the selection and closes the panel.
    const empty = await emptyCanvasPoint(page);
    expect(empty).not.toBeNull();
    await page.mouse.click(empty!.x, empty!.y);
    await panel.waitFor({ state: 'detached' });
    expect(browser.pageErrors).toEqual([]);
  });

  it('keeps zoom, pan and node positions across live updates and a refresh', async () => {
    const { page } = browser;
    await openGraph();
    const initial = await viewport(page);
    const box = await graphBox(page);
    // What a user does: zoom with the wheel, pan by dragging the background, move a node.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -240);
    const empty = await emptyCanvasPoint(page);
    expect(empty).not.toBeNull();
    await page.mouse.move(empty!.x, empty!.y);
    await page.mouse.down();
    await page.mouse.move(empty!.x + 60, empty!.y + 40, { steps: 8 });
    await page.mouse.up();
    const node = await pagePointOf(page, BACKEND_V2);
    await page.mouse.move(node.x, node.y);
    await page.mouse.down();
    await page.mouse.move(node.x + 50, node.y + 30, { steps: 8 });
    await page.mouse.up();
    const before = await waitForStillGraph(page);
    // The user's changes took: the view is not the one the page drew first.
    expect(before.zoom).not.toBe(initial.zoom);
    expect(before.pan).not.toEqual(initial.pan);
    expect(before.positions[BACKEND_V2]).not.toEqual(initial.positions[BACKEND_V2]);
    expect(before.positions[BACKEND_V1]).toEqual(initial.positions[BACKEND_V1]);
    const eventsBefore = await graphEvents(page);
    await waitForGraphEvents(page, 2);
    await page.waitForTimeout(500);
    expect(await graphEvents(page)).toBeGreaterThanOrEqual(eventsBefore + 2);
    expect(await viewport(page)).toEqual(before);
    // An explicit refresh (GET /api/graph) changes nothing either.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Refresh' }).and(page.locator(':enabled')).waitFor();
    await page.waitForTimeout(500);
    expect(await viewport(page)).toEqual(before);
    await browser.screenshot('graph-after-updates');
    expect(browser.pageErrors).toEqual([]);
  });

  it('finds and hides by expression, and says what is wrong with a bad one', async () => {
    const { page } = browser;
    await openGraph();
    const find = page.getByRole('searchbox', { name: 'Find' });
    const hide = page.getByRole('searchbox', { name: 'Hide' });

    await find.fill('version = v2');
    await find.press('Enter');
    const foundIds = async () =>
      (await modelNodes(page))
        .filter((n) => n.classes.includes('found'))
        .map((n) => n.id)
        .sort();
    await expect
      .poll(foundIds)
      .toEqual([BACKEND_V2, v('bookinfo', 'reviews', 'v2'), v('bookinfo', 'details', 'v2')].sort());
    expect(await find.getAttribute('aria-invalid')).toBe('false');

    await find.fill('rps >');
    await find.press('Enter');
    expect(await find.getAttribute('aria-invalid')).toBe('true');
    const error = page.getByRole('alert').filter({ hasText: /./ });
    await error.first().waitFor();
    // The message is tied to the box (aria-describedby) and names the problem.
    const describedBy = await find.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    expect((await page.locator(`[id="${describedBy}"]`).innerText()).length).toBeGreaterThan(5);
    await browser.screenshot('graph-find-error');

    await find.fill('');
    await find.press('Enter');
    await hide.fill('namespace = bookinfo');
    await hide.press('Enter');
    await expect
      .poll(async () =>
        (await modelNodes(page))
          .filter((n) => DEMO_NODES.includes(n.id))
          .map((n) => `${n.id}:${n.visible}`)
          .sort(),
      )
      .toEqual(DEMO_NODES.map((id) => `${id}:${!id.includes(':bookinfo:')}`).sort());

    await hide.fill('namespace =');
    await hide.press('Enter');
    expect(await hide.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('alert').first().waitFor();
    await hide.fill('');
    await hide.press('Enter');
    await expect.poll(async () => (await modelNodes(page)).every((n) => n.visible)).toBe(true);
    expect(browser.pageErrors).toEqual([]);
  });

  it('restores labels, find, hide and the selection from a deep link', async () => {
    const { page } = browser;
    await openGraph();
    await page.getByLabel('Edge labels').selectOption('share');
    const find = page.getByRole('searchbox', { name: 'Find' });
    await find.fill('version = v2');
    await find.press('Enter');
    const at = await pagePointOf(page, LAB_V2);
    await page.mouse.click(at.x, at.y);
    await page.getByRole('complementary').waitFor();
    const link = page.url();
    expect(decodeURIComponent(link)).toContain('label=share');

    // The link, opened in a fresh page, brings the same view back.
    const other = await browser.context.newPage();
    try {
      await openGraph(link.slice(link.indexOf('?') + 1), other);
      expect(await other.getByLabel('Edge labels').inputValue()).toBe('share');
      expect(await other.getByRole('searchbox', { name: 'Find' }).inputValue()).toBe('version = v2');
      await expect
        .poll(async () => (await modelEdges(other)).filter((e) => e.selected).map((e) => e.id))
        .toEqual([LAB_V2]);
      expect(
        await other.getByRole('complementary').getByRole('heading', { level: 2 }).first().innerText(),
      ).toMatch(/frontend.*→.*backend v2/);
      // Route-share labels: observed beside configured ("17 % / 20 %").
      const labels = new Map((await modelEdges(other)).map((e) => [e.id, e.label]));
      expect(labels.get(LAB_V2)).toMatch(/%.*\/.*20 %/);
      expect((await modelNodes(other)).find((n) => n.id === BACKEND_V2)!.classes).toContain('found');
      await browser.screenshot('graph-deep-link', other);
    } finally {
      await other.close();
    }
    // Leaving for another page and coming back through the navigation keeps the same view.
    await page.getByRole('navigation').getByRole('link', { name: 'Sidecars' }).click();
    await page.getByRole('heading', { name: 'Sidecars' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Graph' }).click();
    await waitForGraph(page, DEMO_NODES.length);
    expect(await page.getByLabel('Edge labels').inputValue()).toBe('share');
    expect(await page.getByRole('searchbox', { name: 'Find' }).inputValue()).toBe('version = v2');
    expect(browser.pageErrors).toEqual([]);
  });

  it('exports the graph as JSON and PNG', async () => {
    const { page } = browser;
    await openGraph();
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(json.suggestedFilename()).toMatch(/^meshscope-versionedApp-.+\.json$/);
    const exported = GraphSchema.parse(JSON.parse(readFileSync(await json.path(), 'utf8')));
    expect(exported.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(DEMO_NODES));
    expect(exported.edges.map((e) => e.id)).toEqual(expect.arrayContaining(DEMO_EDGES));
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export PNG' }).click(),
    ]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    const bytes = readFileSync(await png.path());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBeGreaterThan(5_000);
    expect(browser.pageErrors).toEqual([]);
  });
});
