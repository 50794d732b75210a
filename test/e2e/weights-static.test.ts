// Static weights in Chromium: bin/meshscope over a targets file with two sidecars running the seed
// lab's bootstrap (no runtime_key_prefix). The editor says the weights are in the bootstrap; applying
// 50/50 on the sidecar that reloads rewrites its file and is applied; on the one that does not
// (`--no-watch`, like Envoy) the editor says a restart is needed and names the sidecar to restart; the
// first route is then converted to runtime weights from the editor, the prefix shown before.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteListSchema } from '../../shared/api/routes.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { type ProxyProcess, startBackend, startProxy, stopAll } from '../support/processes.ts';
import { ADMIN_LAYER, seedLabBootstrap } from '../support/seed-lab-bootstrap.ts';
import { requireBuiltUi } from '../support/ui-build.ts';

const TOKEN = 'weights-e2e-token';
let dir: string;
let live: ProxyProcess;
let frozen: ProxyProcess;
let dash: DashboardProcess;
let browser: BrowserSession;

const routesOf = () => dash.get('/api/routes', RouteListSchema);

beforeAll(async () => {
  requireBuiltUi();
  dir = mkdtempSync(join(tmpdir(), 'meshscope-e2e-static-'));
  const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  const ports = { v1: v1.port, v2: v2.port };
  live = await startProxy(`${await seedLabBootstrap(ports)}${ADMIN_LAYER}`);
  frozen = await startProxy(await seedLabBootstrap(ports), { args: ['--no-watch'] });
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    [
      'targets:',
      `  - { workload: frontend, kind: meshscope-proxy, admin: ${live.adminUrl} }`,
      `  - { workload: frozen, kind: meshscope-proxy, admin: ${frozen.adminUrl} }`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'tokens'), `ops ${TOKEN}\n`);
  [dash, browser] = await Promise.all([
    startDashboard([
      '--token-file',
      join(dir, 'tokens'),
      '--targets',
      targets,
      '--audit-file',
      join(dir, 'audit.jsonl'),
      '--scrape-interval',
      '0.5',
      '-l',
      'warning',
    ]),
    launchBrowser(),
  ]);
  // The write token, as the UI keeps it once given (client/src/api/write-token.ts).
  await browser.page.addInitScript((t: string) => sessionStorage.setItem('meshscope.writeToken', t), TOKEN);
  await until(
    'both static routes',
    routesOf,
    (l) => l.routes.filter((r) => r.strategy === 'static').length === 2,
    20_000,
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openEditor(workload: string) {
  const { page } = browser;
  // An editor left open by the previous test is closed first (a hash change keeps the page).
  const open = page.getByRole('button', { name: 'Close the weight editor' });
  if ((await open.count()) > 0) await open.click();
  await page.goto(`${dash.base}/#/routes`);
  await page.getByRole('button', { name: `Edit the weights of ${workload} → backend` }).click();
  const dialog = page.getByRole('dialog', {
    name: new RegExp(`weights: default/${workload} → backend`, 'i'),
  });
  await dialog.waitFor();
  return dialog;
}

describe('static weights in the weight editor', () => {
  it('applies 50/50 to the bootstrap of a sidecar that reloads it', async () => {
    const dialog = await openEditor('frontend');
    expect(await dialog.locator('.weight-strategy').innerText()).toBe('static weights (bootstrap)');
    await dialog.getByRole('spinbutton', { name: 'Weight of backend_v1' }).fill('50');
    await expect
      .poll(() => dialog.getByRole('spinbutton', { name: 'Weight of backend_v2' }).inputValue())
      .toBe('50');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    const result = dialog.getByRole('status').filter({ hasText: /applied/i });
    await result.waitFor({ timeout: 20_000 });
    expect(await result.innerText()).toContain('80/20 → 50/50 (the bootstrap weights rewritten)');
    expect(await result.locator('[data-replica="default/frontend/0"]').innerText()).toMatch(/applied/);
    expect(readFileSync(live.configPath, 'utf8')).toMatch(/weight: 50 {3}# stable\n/);
    await browser.screenshot('weights-static-applied');
    expect(browser.pageErrors).toEqual([]);
  });

  it('says a restart is needed on a sidecar that does not reload, naming it', async () => {
    const dialog = await openEditor('frozen');
    await dialog.getByRole('button', { name: /^Preset 100\/0/ }).click();
    await dialog.getByRole('button', { name: 'Apply' }).click();
    const notice = dialog.getByRole('alert').filter({ hasText: 'Restart needed' });
    await notice.waitFor({ timeout: 20_000 });
    expect(await notice.innerText()).toContain('Restart these sidecars yourself: default/frozen/0');
    // The written weights are the route's version now, though not served yet: no "changed elsewhere".
    await new Promise((r) => setTimeout(r, 1500));
    expect(await dialog.getByText('The route changed since the editor loaded it.').count()).toBe(0);
    await browser.screenshot('weights-static-restart-needed');
    expect(browser.pageErrors).toEqual([]);
  });

  it('converts the route to runtime weights, showing the prefix first', async () => {
    const dialog = await openEditor('frontend');
    const prefix = dialog.getByRole('textbox', { name: 'Runtime key prefix' });
    expect(await prefix.inputValue()).toBe('meshscope.weights.local_route.backend.0');
    await dialog.getByRole('button', { name: 'Convert to runtime weights' }).click();
    const done = dialog.getByRole('status').filter({ hasText: /converted/i });
    await done.waitFor({ timeout: 20_000 }).catch(async (e: unknown) => {
      throw new Error(`${(e as Error).message}\n${await dialog.innerText()}`);
    });
    expect(await done.innerText()).toContain(
      `runtime_key_prefix meshscope.weights.local_route.backend.0 written to ${live.configPath}`,
    );
    await expect
      .poll(async () => dialog.locator('.weight-strategy').innerText(), { timeout: 15_000 })
      .toBe('runtime meshscope.weights.local_route.backend.0');
    expect(browser.pageErrors).toEqual([]);
  });
});
