// A dashboard started --read-only, in Chromium: the weight editor still opens (weights, history and
// shifts are there to look at), says why nothing can be changed, and every control that would write is
// disabled; the route's weights on the sidecar stay as they were.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { routes, webSplitBootstrap } from '../integration/weights/weights-harness.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { type ProxyProcess, startBackend, startProxy, stopAll } from '../support/processes.ts';
import { requireBuiltUi } from '../support/ui-build.ts';

let dash: DashboardProcess;
let browser: BrowserSession;
let proxy: ProxyProcess;

beforeAll(async () => {
  requireBuiltUi();
  const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  proxy = await startProxy(
    webSplitBootstrap(v1.port, v2.port, { prefix: 'split.web', adminOnlyRuntime: false }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'meshscope-read-only-e2e-'));
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({ targets: [{ workload: 'web', kind: 'meshscope-proxy', admin: [proxy.adminUrl] }] }),
  );
  [dash, browser] = await Promise.all([
    startDashboard([
      '--read-only',
      '--targets',
      targets,
      '--audit-file',
      join(dir, 'audit.jsonl'),
      '--data-dir',
      join(dir, 'state'),
      '--scrape-interval',
      '0.5',
    ]),
    launchBrowser(),
  ]);
  await until(
    'the weighted route',
    () => routes(dash.base),
    (rs) => rs.some((r) => r.clusters.length === 2),
    20_000,
    () => dash.stderr,
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await stopAll();
});

describe('the weight editor on a --read-only dashboard', () => {
  it('shows the weights with every write control disabled, and says why', async () => {
    const { page } = browser;
    await page.goto(`${dash.base}/#/routes`);
    await page.getByRole('button', { name: /edit the weights of web → /i }).click();
    const dialog = page.getByRole('dialog', { name: /weights: default\/web → /i });
    await dialog.waitFor();
    await dialog.getByRole('note').filter({ hasText: '--read-only' }).waitFor();
    const v1 = dialog.getByRole('spinbutton', { name: 'Weight of web_v1' });
    expect(await v1.inputValue()).toBe('80');
    expect(await v1.isDisabled()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Even split', exact: true }).isDisabled()).toBe(true);
    expect(await dialog.getByRole('button', { name: 'Start guarded shift' }).isDisabled()).toBe(true);
    // Closing still works: it is outside the disabled controls.
    expect(await dialog.getByRole('button', { name: 'Close the weight editor' }).isDisabled()).toBe(false);
    expect(browser.pageErrors).toEqual([]);
    const rt = (await (await fetch(`${proxy.adminUrl}/runtime`)).json()) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(rt.entries).filter((k) => k.startsWith('split.web'))).toEqual([]);
  });
});
