// Alerts in Chromium, on the demo mesh discovered through a targets file by the real bin/meshscope: a
// backend's sidecar killed makes the frontend's 503s fire MeshEdge503Ratio and the sidecar's scrapes
// fail. The header counts the firing alerts, the Alerts page lists and filters them and draws them on
// its timeline, the graph marks the edge with a ⚑, and clicking the alert focuses its edge.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from '../../server/demo/start-demo-mesh.ts';
import { type AlertList, AlertListSchema } from '../../shared/api/alerts.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { modelEdges, waitForGraph } from '../support/graph-model.ts';
import { requireBuiltUi } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.24.10–18). */
const SUBNET = '127.0.24';
const EDGE = 'workload:default:frontend,workload:default:backend-v2';

let demo: DemoMesh;
let dash: DashboardProcess;
let browser: BrowserSession;

beforeAll(async () => {
  requireBuiltUi();
  const dir = mkdtempSync(join(tmpdir(), 'meshscope-e2e-alerts-'));
  const rules = join(dir, 'rules.yaml');
  writeFileSync(
    rules,
    [
      'rules:',
      '  edge503Ratio: { for: 0s, minRequests: 5 }',
      '  sidecarScrapeFailing: { for: 3s, severity: warning }',
      '  weightShareDrift: { enabled: false }',
      '  trafficStopped: { enabled: false }',
      '',
    ].join('\n'),
  );
  // Without the labs' policies: their breaker and failing reviews would fire rules before the test's own.
  demo = await startDemoMesh({ workDir: dir, baseAddress: `${SUBNET}.`, ratePerSecond: 30, policies: false });
  [dash, browser] = await Promise.all([
    startDashboard(
      [
        '--targets',
        demo.targetsPath,
        '--scrape-interval',
        '1',
        '--window',
        '10',
        '--alert-rules',
        rules,
        '--alert-history',
        join(dir, 'alerts.jsonl'),
        '--audit-file',
        join(dir, 'audit.jsonl'),
        '-l',
        'warning',
      ],
      60_000,
    ),
    launchBrowser(),
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await demo?.stop();
});

describe('alerts in the UI', () => {
  it('lists firing alerts with a count in the header once a backend’s sidecar dies', async () => {
    const { page } = browser;
    await page.goto(`${dash.base}/#/alerts`);
    await page.getByRole('heading', { name: 'Alerts', exact: true }).waitFor();
    await page.getByText(/No alerts: every rule is quiet/).waitFor({ timeout: 30_000 });
    process.kill(demo.workloads.find((w) => w.name === 'backend-v2')!.sidecarPid, 'SIGKILL');
    const list = await until(
      'the 503 alert and the scrape alert firing',
      () => dash.get('/api/alerts', AlertListSchema),
      (l: AlertList) =>
        l.alerts.some(
          (a) => a.labels.alertname === 'MeshEdge503Ratio' && a.labels.edge === EDGE && a.state === 'firing',
        ) && l.alerts.some((a) => a.labels.alertname === 'MeshSidecarScrapeFailing' && a.state === 'firing'),
      45_000,
      () => dash.stderr,
    );
    const firing = list.alerts.filter((a) => a.state === 'firing').length;
    const table = page.getByRole('table', { name: 'meshscope alerts' });
    const row503 = table
      .getByRole('row')
      .filter({ hasText: 'MeshEdge503Ratio' })
      .filter({ hasText: 'backend-v2' });
    await row503.first().waitFor({ timeout: 15_000 });
    expect(await row503.first().getAttribute('data-state')).toBe('firing');
    await expect
      .poll(async () => Number(await page.getByTestId('alert-count').innerText()), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(Math.min(firing, 2));
    await browser.screenshot('alerts-page');
    expect(browser.pageErrors).toEqual([]);
  });

  it('filters by state, severity and text', async () => {
    const { page } = browser;
    const table = page.getByRole('table', { name: 'meshscope alerts' });
    await page.getByLabel('Severity').selectOption('warning');
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'MeshEdge503Ratio' }).count()).toBe(0);
    await expect
      .poll(() => table.getByRole('row').filter({ hasText: 'MeshSidecarScrapeFailing' }).count())
      .toBeGreaterThan(0);
    await page.getByLabel('Severity').selectOption('all');
    await page.getByLabel('State').selectOption('resolved');
    await expect
      .poll(() => table.getByRole('row').filter({ hasText: 'MeshSidecarScrapeFailing' }).count())
      .toBe(0);
    await page.getByLabel('State').selectOption('firing');
    await page.getByLabel('Search').fill('backend-v2');
    await expect
      .poll(() => table.getByRole('row').filter({ hasText: 'MeshEdge503Ratio' }).count())
      .toBeGreaterThan(0);
    await page.getByLabel('Search').fill('no-such-workload');
    await page.getByText('No alert matches the filters.').waitFor();
    await page.getByLabel('Search').fill('');
    expect(browser.pageErrors).toEqual([]);
  });

  it('draws each alert on the timeline from the history', async () => {
    const { page } = browser;
    const timeline = page.getByRole('list', { name: 'Alert timeline' });
    const lane = timeline.getByRole('listitem').filter({ hasText: 'MeshEdge503Ratio' });
    await lane.first().waitFor({ timeout: 20_000 });
    await expect.poll(() => lane.first().locator('rect[data-state="firing"]').count()).toBeGreaterThan(0);
    const scrape = timeline.getByRole('listitem').filter({ hasText: 'MeshSidecarScrapeFailing' });
    // Pending for its 3 s, then firing.
    await expect.poll(() => scrape.first().locator('rect[data-state="pending"]').count()).toBeGreaterThan(0);
    await expect.poll(() => scrape.first().locator('rect[data-state="firing"]').count()).toBeGreaterThan(0);
  });

  it('clicking the alert focuses its edge on the graph, which carries the ⚑ badge', async () => {
    const { page } = browser;
    const row503 = page
      .getByRole('table', { name: 'meshscope alerts' })
      .getByRole('row')
      .filter({ hasText: 'MeshEdge503Ratio' })
      .filter({ hasText: 'backend-v2' });
    await row503.first().getByRole('link').click();
    await waitForGraph(page, 2);
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`edge=${EDGE}`);
    await expect
      .poll(async () => (await modelEdges(page)).find((e) => e.id === EDGE), { timeout: 20_000 })
      .toMatchObject({ selected: true });
    await expect
      .poll(async () => (await modelEdges(page)).find((e) => e.id === EDGE)?.label ?? '', { timeout: 20_000 })
      .toMatch(/^⚑/);
    const edge = (await modelEdges(page)).find((e) => e.id === EDGE)!;
    expect(edge.classes).toEqual(expect.arrayContaining(['alerting', 'alert-critical']));
    // The side panel shows the edge.
    await page
      .getByRole('complementary')
      .getByText(/backend-v2/)
      .first()
      .waitFor();
    await browser.screenshot('alerts-edge-focused');
    expect(browser.pageErrors).toEqual([]);
  });
});
