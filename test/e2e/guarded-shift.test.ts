// The guarded shift from the weight editor, in Chromium against `meshscope --demo`: the lab route
// (frontend → backend, 80/20) is shifted to backend_v2 in two 1 s steps and promoted, the progress
// showing each step as the server's events arrive; then a second shift back is paused, resumed and
// aborted from the buttons, which puts the weights it started from back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardedShiftSchema } from '../../shared/api/guarded-shift.ts';
import { type BrowserSession, launchBrowser } from '../support/browser.ts';
import { type DashboardProcess, startDashboard, until } from '../support/dashboard-process.ts';
import { labRoute as demoLabRoute, effective } from '../support/demo-lab-route.ts';
import { demoArgs, requireBuiltUi } from '../support/ui-build.ts';

/** This file's own demo subnet (127.0.26.10–18). */
const SUBNET = '127.0.26';

let demo: DashboardProcess;
let browser: BrowserSession;

const labRoute = () => demoLabRoute(demo);

beforeAll(async () => {
  requireBuiltUi();
  [demo, browser] = await Promise.all([startDashboard(demoArgs(SUBNET), 60_000), launchBrowser()]);
  await until(
    'the lab route',
    labRoute,
    (r) => effective(r) === 'backend_v1=80,backend_v2=20',
    40_000,
    () => demo.stderr,
  );
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe('guarded shift in the weight editor', () => {
  it('starts a shift, shows its steps as they are applied, and its promotion', async () => {
    const { page } = browser;
    // The write token for the tab, as in the URL meshscope prints (client/src/api/write-token.ts).
    await page.goto(`${demo.base}/#token=${demo.token}&/routes`);
    await page.getByRole('button', { name: /edit the weights of frontend → backend/i }).click();
    const dialog = page.getByRole('dialog', { name: /weights: default\/frontend → backend/i });
    const section = dialog.getByRole('region', { name: 'Guarded shift' });
    const form = section.getByRole('form', { name: 'Start a guarded shift' });
    // The canary offered first is the lightest cluster: the new version.
    expect(await form.getByRole('combobox', { name: /Canary/ }).inputValue()).toBe('backend_v2');
    await form.getByRole('spinbutton', { name: /Target/ }).fill('100');
    await form.getByRole('spinbutton', { name: /Step/ }).fill('50');
    await form.getByRole('spinbutton', { name: /Interval/ }).fill('1');
    await form.getByRole('spinbutton', { name: /after at least/ }).fill('5');
    await form.getByRole('combobox', { name: /p99/ }).selectOption('off');
    await form.getByRole('textbox', { name: /Reason/ }).fill('e2e rollout');
    await form.getByRole('button', { name: 'Start guarded shift' }).click();

    const progress = section.getByRole('region', { name: 'Guarded shift progress' });
    await progress.locator('.shift-state', { hasText: 'Running' }).waitFor({ timeout: 10_000 });
    // Step 1 of 2 (80/20 → 50 points more: 30/70), then the target, then promoted: each seen as it comes.
    await progress.locator('.shift-step', { hasText: 'step 1/2' }).waitFor({ timeout: 10_000 });
    await progress.locator('.shift-state', { hasText: 'Promoted' }).waitFor({ timeout: 60_000 });
    expect(await progress.locator('.shift-step').innerText()).toBe('step 2/2');
    expect(await progress.locator('.shift-weights').innerText()).toBe(
      'Weights now: backend_v1 0 · backend_v2 100',
    );
    expect(await progress.innerText()).toMatch(/Last decision: promote on step 2/);
    expect(await progress.innerText()).toMatch(/canary: \d+ req · 503 0\.0 % · 5xx 0\.0 %/);
    await until('the route at 0/100', labRoute, (r) => effective(r) === 'backend_v1=0,backend_v2=100');
    // Finished: the form is offered again for the next one.
    await form.waitFor();
  });

  it('pauses, resumes and aborts a shift from its buttons; abort puts the starting weights back', async () => {
    const { page } = browser;
    const dialog = page.getByRole('dialog', { name: /weights: default\/frontend → backend/i });
    const section = dialog.getByRole('region', { name: 'Guarded shift' });
    const form = section.getByRole('form', { name: 'Start a guarded shift' });
    // backend_v1 is now the lightest (0): shift it back to half, slowly.
    await until(
      'the form to offer backend_v1',
      () => form.getByRole('combobox', { name: /Canary/ }).inputValue(),
      (v) => v === 'backend_v1',
    );
    await form.getByRole('spinbutton', { name: /Target/ }).fill('50');
    await form.getByRole('spinbutton', { name: /Step/ }).fill('10');
    await form.getByRole('spinbutton', { name: /Interval/ }).fill('60');
    await form.getByRole('button', { name: 'Start guarded shift' }).click();
    const progress = section.getByRole('region', { name: 'Guarded shift progress' });
    await progress.locator('.shift-step', { hasText: 'step 1/5' }).waitFor({ timeout: 10_000 });

    await progress.getByRole('button', { name: 'Pause' }).click();
    await progress.locator('.shift-state', { hasText: 'Paused' }).waitFor();
    expect(await progress.innerText()).toMatch(/paused by token/);
    await progress.getByRole('button', { name: 'Resume' }).click();
    await progress.locator('.shift-state', { hasText: 'Running' }).waitFor();
    await progress.getByRole('button', { name: 'Abort (roll back)' }).click();
    await progress.locator('.shift-state', { hasText: 'Aborted' }).waitFor();
    expect(await progress.locator('.shift-weights').innerText()).toBe(
      'Weights now: backend_v1 0 · backend_v2 100',
    );
    const api = GuardedShiftSchema.parse(
      await (
        await fetch(`${demo.base}/api/routes/${encodeURIComponent((await labRoute()).id)}/guarded-shift`)
      ).json(),
    );
    expect(api).toMatchObject({ state: 'aborted', stoppedWhy: 'aborted by token' });
    await until('the route back at 0/100', labRoute, (r) => effective(r) === 'backend_v1=0,backend_v2=100');
  });
});
