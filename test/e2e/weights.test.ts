// The one-click shift end to end: in Chromium against `meshscope --demo`, the weight editor opened from
// the lab's edge changes 80/20 to 50/50 through PUT /api/routes/:id/weights, the sidecar applies it
// through its runtime, and the observed share — what the load really does — moves toward 0.5, in the
// API and on screen. Then presets and undo from the Routes page. The write token is the one the demo
// generated, given to the UI as `npm start` users do: by opening the URL it printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeightedRoute } from '../../shared/api/routes.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { labRoute as demoLabRoute, effective } from '../support/demo-lab-route.ts';
import { pagePointOf, waitForGraph, waitForStillGraph } from '../support/graph-model.ts';
import { demoArgs, requireBuiltUi } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.93.10–18). */
const SUBNET = '127.0.93';
const LAB_V1 = 'versionedApp:default:frontend:v1,versionedApp:default:backend:v1';

let demo: DashboardProcess;
let browser: BrowserSession;

const labRoute = () => demoLabRoute(demo);

const cluster = (r: WeightedRoute, name: string) => r.clusters.find((c) => c.name === name)!;

/** Percentages in a piece of text ("50 %", "48.7 %"), in order. */
function percentages(text: string): number[] {
  return [...text.matchAll(/(\d+(?:\.\d+)?)\s?%/g)].map((m) => Number(m[1]));
}

beforeAll(async () => {
  requireBuiltUi();
  [demo, browser] = await Promise.all([
    startDashboard(demoArgs(SUBNET), 60_000, { token: 'generated' }),
    launchBrowser(),
  ]);
  // A full window of traffic at 80/20 first, so "before" is really 80/20.
  await until(
    'the lab route observed near 80/20',
    labRoute,
    (r) =>
      (cluster(r, 'backend_v1').observedShare ?? 0) > 0.65 &&
      (cluster(r, 'backend_v1').observedShare ?? 1) < 0.95,
    40_000,
    () => demo.stderr,
  );
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('the weight editor on the demo mesh', () => {
  it('the URL the demo printed gives the tab its write token, and leaves the address bar without it', async () => {
    const { page } = browser;
    const printed = /the UI, with writes enabled for the tab: (\S+)/.exec(demo.stdout)?.[1];
    expect(printed).toBe(`${demo.base}/#token=${demo.token}`);
    await page.goto(printed!);
    await waitForGraph(page, 9);
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('meshscope.writeToken'))).toBe(demo.token);
  });

  it('changing 80/20 to 50/50 moves the observed share toward 0.5', async () => {
    const { page } = browser;
    await page.goto(`${demo.base}/#/graph`);
    await waitForGraph(page, 9);
    await waitForStillGraph(page);
    const at = await pagePointOf(page, LAB_V1);
    await page.mouse.click(at.x, at.y);
    const panel = page.getByRole('complementary');
    await panel
      .getByRole('region', { name: 'Weighted routes' })
      .getByRole('button', { name: 'Edit weights' })
      .click();

    const dialog = page.getByRole('dialog', { name: /weights: default\/frontend → backend/i });
    await dialog.waitFor();
    const v1 = dialog.getByRole('spinbutton', { name: 'Weight of backend_v1' });
    const v2 = dialog.getByRole('spinbutton', { name: 'Weight of backend_v2' });
    expect(await v1.inputValue()).toBe('80');
    expect(await v2.inputValue()).toBe('20');
    // One number moved: the other, unlocked, takes up the rest (the total stays 100).
    await v1.fill('50');
    await expect.poll(() => v2.inputValue()).toBe('50');
    expect(await dialog.getByText(/total 100 of 100/i).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Apply' }).click();

    const result = dialog.getByRole('status').filter({ hasText: /applied/i });
    await result.waitFor({ timeout: 30_000 });
    expect(await result.innerText()).toContain('80/20 → 50/50');
    // The demo has one frontend replica; its runtime was read back.
    await expect
      .poll(() => result.locator('[data-replica="default/frontend/0"]').innerText())
      .toMatch(/applied/);
    await browser.screenshot('weights-applied');

    // The API: configured 50/50 at once (the next scrape), observed near 0.5 once the window has
    // filled with traffic sent at the new weights.
    await until('configured 50/50', labRoute, (r) => effective(r) === 'backend_v1=50,backend_v2=50', 20_000);
    const after = await until(
      'observed share near 0.5',
      labRoute,
      (r) => Math.abs((cluster(r, 'backend_v1').observedShare ?? 0) - 0.5) < 0.15,
      45_000,
      () => demo.stderr,
    );
    expect(cluster(after, 'backend_v2').observedShare!).toBeGreaterThan(0.35);
    // Not just passing through: once a whole 10 s window was sent at 50/50 (≈ 100 requests, standard
    // deviation of the share ≈ 0.05) it stays there.
    await new Promise((r) => setTimeout(r, 11_000));
    const settled = await labRoute();
    expect(Math.abs(cluster(settled, 'backend_v1').observedShare! - 0.5)).toBeLessThan(0.15);

    // On screen, in the editor's live columns (new share, configured now, observed): 50 % configured,
    // observed near 50 %.
    const row = dialog.getByRole('row').filter({ hasText: 'backend_v1' });
    await expect
      .poll(async () => percentages(await row.innerText()))
      .toSatisfy(
        ([, configuredNow, observed]: number[]) => configuredNow === 50 && Math.abs(observed! - 50) < 15,
      );
    await dialog.getByRole('button', { name: 'Close the weight editor' }).click();
    await dialog.waitFor({ state: 'detached' });

    // And on the Routes page.
    await page.getByRole('navigation').getByRole('link', { name: 'Routes' }).click();
    const routesRow = page.getByRole('row').filter({ hasText: 'backend_v1' }).first();
    await expect
      .poll(async () => percentages(await routesRow.innerText()))
      .toSatisfy(([configured, observed]: number[]) => configured === 50 && Math.abs(observed! - 50) < 15);
    await browser.screenshot('weights-routes-page');
    expect(browser.pageErrors).toEqual([]);
  });

  it('applies a preset from the Routes page, and undoes it', async () => {
    const { page } = browser;
    await page.goto(`${demo.base}/#/routes`);
    await page.getByRole('button', { name: /edit the weights of frontend → backend/i }).click();
    const dialog = page.getByRole('dialog', { name: /weights: default\/frontend → backend/i });
    await dialog.waitFor();
    expect(await dialog.getByRole('spinbutton', { name: 'Weight of backend_v1' }).inputValue()).toBe('50');
    await dialog.getByRole('button', { name: /^Preset 100\/0/ }).click();
    expect(await dialog.getByRole('spinbutton', { name: 'Weight of backend_v2' }).inputValue()).toBe('0');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.getByRole('status').filter({ hasText: '50/50 → 100/0' }).waitFor({ timeout: 30_000 });
    await until('configured 100/0', labRoute, (r) => effective(r) === 'backend_v1=100,backend_v2=0', 20_000);

    await dialog.getByRole('button', { name: 'Undo' }).click();
    const undone = dialog.getByRole('status').filter({ hasText: /undone/i });
    await undone.waitFor({ timeout: 30_000 });
    expect(await undone.innerText()).toContain('100/0 → 50/50');
    await until(
      'configured 50/50 again',
      labRoute,
      (r) => effective(r) === 'backend_v1=50,backend_v2=50',
      20_000,
    );
    await browser.screenshot('weights-undone');
    expect(browser.pageErrors).toEqual([]);
  });
});
