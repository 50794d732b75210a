// The pages besides the graph, in Chromium against `meshscope --demo`: Sidecars (every demo sidecar up),
// Routes (the seed lab's 80/20 route, configured beside observed), the Alerts page, the empty state of
// a mesh with no sidecars, and the API-unreachable state when the dashboard stops mid-session.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SidecarListSchema } from '../../shared/api/sidecars.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard } from '../support/dashboard-process.ts';
import { modelNodes } from '../support/graph-model.ts';
import { demoArgs, requireBuiltUi } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.92.10–19), so it never collides with another suite's demo. */
const SUBNET = '127.0.92';

let demo: DashboardProcess;
let browser: BrowserSession;

beforeAll(async () => {
  requireBuiltUi();
  [demo, browser] = await Promise.all([startDashboard(demoArgs(SUBNET), 60_000), launchBrowser()]);
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Percentages as the pages print them ("80.0 %"), in the order they appear in `text`. */
function percentages(text: string): number[] {
  return [...text.matchAll(/(\d+(?:\.\d+)?)\s?%/g)].map((m) => Number(m[1]));
}

describe('pages of the demo mesh', () => {
  it('Sidecars lists the ten demo sidecars, every one up', async () => {
    const { page } = browser;
    await page.goto(`${demo.base}/#/sidecars`);
    await page.getByRole('heading', { name: 'Sidecars' }).waitFor();
    const { sidecars } = await demo.get('/api/sidecars', SidecarListSchema);
    expect(sidecars).toHaveLength(10);
    const table = page.getByRole('table');
    // One row per sidecar plus the header row.
    await expect.poll(() => table.getByRole('row').count()).toBe(11);
    for (const s of sidecars) {
      const row = table.getByRole('row').filter({ hasText: s.workload }).filter({ hasText: s.namespace });
      await expect.poll(() => row.first().getByRole('cell', { name: 'up', exact: true }).count()).toBe(1);
    }
    await expect.poll(() => table.getByRole('cell', { name: 'down', exact: true }).count()).toBe(0);
    await browser.screenshot('pages-sidecars');
    expect(browser.pageErrors).toEqual([]);
  });

  it('Routes lists the lab’s 80/20 route with configured and observed shares', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Routes' }).click();
    await page.getByRole('heading', { name: /routes/i }).waitFor();
    const v1 = page.getByRole('row').filter({ hasText: 'backend_v1' });
    const v2 = page.getByRole('row').filter({ hasText: 'backend_v2' });
    await v1.first().waitFor();
    // Configured 80 % / 20 %, and an observed share near it once the 10 s window holds traffic
    // (≈ 20 req/s to the lab: a window's observed share is within ±0.1 of 0.8 with room to spare).
    await expect
      .poll(
        async () => {
          const [configured, observed] = percentages(await v1.first().innerText());
          return configured === 80 && observed !== undefined && observed > 65 && observed < 95;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe(true);
    const [configured2, observed2] = percentages(await v2.first().innerText());
    expect(configured2).toBe(20);
    expect(observed2).toBeGreaterThan(5);
    expect(observed2).toBeLessThan(35);
    await browser.screenshot('pages-routes');
    expect(browser.pageErrors).toEqual([]);
  });

  it('Alerts has its place in the navigation and opens the alerts page', async () => {
    const { page } = browser;
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    await expect
      .poll(() => page.getByRole('link', { name: 'Alerts' }).getAttribute('aria-current'))
      .toBe('page');
    expect(await page.getByRole('main').innerText()).toMatch(/alert/i);
    expect(browser.pageErrors).toEqual([]);
  });

  it('says the API is unreachable, and that it retries, when the dashboard stops mid-session', async () => {
    const { page } = browser;
    await page.goto(`${demo.base}/#/graph`);
    await page
      .getByRole('status')
      .filter({ hasText: /updates: live/i })
      .waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Sidecars' }).click();
    await page.getByRole('cell', { name: 'up', exact: true }).first().waitFor();
    await demo.stop();
    // Sidecars: its next refetch fails, and react-query retries with back-off before the error shows.
    const alert = page.getByRole('alert').filter({ hasText: /unreachable|stopped answering/i });
    await alert.first().waitFor({ timeout: 60_000 });
    // Over data already on screen too, the page says it keeps trying (react-query retries with back-off).
    expect(await alert.first().innerText()).toMatch(/retrying/i);
    await browser.screenshot('pages-api-unreachable-sidecars');
    // The graph (navigation inside the page: the server is gone) keeps its last graph, says its
    // stream is reconnecting and when it tries next, and then that the API stopped answering.
    await page.getByRole('navigation').getByRole('link', { name: 'Graph' }).click();
    await page.getByText(/updates: reconnecting/i).waitFor({ timeout: 30_000 });
    await page.getByText(/next try in \d+ s/).waitFor({ timeout: 30_000 });
    const banner = page.getByRole('alert').filter({ hasText: /stopped answering|unreachable/i });
    await banner.first().waitFor({ timeout: 60_000 });
    expect(await banner.first().innerText()).toMatch(/retrying/i);
    // The last graph received stays drawn.
    expect((await modelNodes(page)).length).toBeGreaterThanOrEqual(9);
    await browser.screenshot('pages-api-unreachable-graph');
    expect(browser.pageErrors).toEqual([]);
  });
});

describe('a mesh with no sidecars', () => {
  let empty: DashboardProcess;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshscope-e2e-empty-'));
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, 'targets: []\n');
    empty = await startDashboard(['--targets', targets, '--scrape-interval', '1', '-l', 'warning']);
  });
  afterAll(async () => {
    await empty?.stop();
  });

  it('Sidecars says none were found and how to point meshscope at a mesh', async () => {
    const { page } = browser;
    await page.goto(`${empty.base}/#/sidecars`);
    await page.getByText(/no sidecars found/i).waitFor();
    const main = await page.getByRole('main').innerText();
    expect(main).toContain('--targets');
    expect(main).toContain('--kubeconfig');
    expect(await page.getByRole('table').count()).toBe(0);
    await browser.screenshot('pages-empty-sidecars');
  });

  it('the graph page says the same', async () => {
    const { page } = browser;
    await page.goto(`${empty.base}/#/graph`);
    await page.getByText(/no sidecars found/i).waitFor();
    expect(await page.getByRole('main').innerText()).toContain('--targets');
    await browser.screenshot('pages-empty-graph');
    expect(browser.pageErrors).toEqual([]);
  });
});
