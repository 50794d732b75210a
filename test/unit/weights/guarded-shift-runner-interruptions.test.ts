// GuardedShiftRunner when a shift is interrupted: paused, resumed or aborted by hand, weights changed by
// someone else, the route no longer reported, and the dashboard restarting mid-shift. The harness
// (stand-in weights service, hand-made scrapes, hand-moved clock) is in guarded-shift-runner-harness.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShiftsFile } from '../../../server/weights/guarded-shift-store.ts';
import { ROUTE } from './fake-shift-weights.ts';
import {
  current,
  cycle,
  dir,
  fake,
  openRunner,
  reportRoute,
  runner,
  setUpShiftHarness,
  start,
} from './guarded-shift-runner-harness.ts';

setUpShiftHarness();

describe('GuardedShiftRunner', () => {
  it('pause holds the weights; resume starts the window again; abort rolls back', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    const paused = await runner.act(ROUTE, 'pause', 'lunch', 'bob');
    expect(paused).toMatchObject({
      ok: true,
      value: { state: 'paused', stoppedWhy: 'paused by bob: lunch' },
    });
    for (let i = 0; i < 5; i++) await cycle(5);
    expect(fake.weights).toEqual({ v1: 75, v2: 25 });
    expect(await runner.act(ROUTE, 'pause', undefined, 'bob')).toMatchObject({
      ok: false,
      error: { status: 409 },
    });
    expect(await runner.act(ROUTE, 'resume', undefined, 'bob')).toMatchObject({
      ok: true,
      value: { state: 'running' },
    });
    await cycle(5);
    await cycle(6);
    expect(fake.weights).toEqual({ v1: 75, v2: 25 });
    await cycle(5);
    expect(fake.weights).toEqual({ v1: 50, v2: 50 });
    const aborted = await runner.act(ROUTE, 'abort', 'wrong build', 'bob');
    expect(aborted).toMatchObject({
      ok: true,
      value: { state: 'aborted', stoppedWhy: 'aborted by bob: wrong build' },
    });
    expect(fake.weights).toEqual({ v1: 100, v2: 0 });
    expect(await runner.act(ROUTE, 'resume', undefined, 'bob')).toMatchObject({
      ok: false,
      error: { status: 409 },
    });
  });

  it('stops as interrupted, weights untouched, when someone else changes them mid-shift', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    fake.set(ROUTE, { v1: 90, v2: 10 }, 'carol', 'hotfix');
    await cycle(5);
    const s = current();
    expect(s.state).toBe('interrupted');
    expect(s.stoppedWhy).toMatch(/changed outside the shift \(audit a2 by carol: hotfix\)/);
    expect(fake.weights).toEqual({ v1: 90, v2: 10 });
  });

  it('interrupts a shift whose route stops being reported', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    reportRoute(false);
    for (let i = 0; i < 3; i++) await cycle(5);
    const s = current();
    expect(s.state).toBe('interrupted');
    expect(s.stoppedWhy).toMatch(/no longer reported.*left at step 1's v1=75, v2=25/);
  });

  it('resumes after a restart from the state file when the route is where it was left', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    // The window begins with the first figures read after the step (+5 s) and lasts 10 s.
    for (let i = 0; i < 3; i++) await cycle(5);
    expect(fake.weights).toEqual({ v1: 50, v2: 50 });
    await runner.close();
    const saved = parseShiftsFile(await readFile(join(dir, 'shifts.json'), 'utf8')).shifts[0]!;
    expect(saved).toMatchObject({
      state: 'running',
      currentStep: 2,
      currentWeights: { v1: 50, v2: 50 },
      pending: null,
    });

    await openRunner();
    expect(await runner.act(ROUTE, 'pause', undefined, 'x')).toMatchObject({
      ok: false,
      error: { code: 'shift_resuming' },
    });
    for (let i = 0; i < 12; i++) await cycle(5);
    const s = current();
    expect(s.state).toBe('promoted');
    expect(s.events.map((e) => e.message)).toContain(
      "dashboard restarted: step 2's window starts again after the restart",
    );
  });

  it('a paused shift stays paused after a restart, and resumes from where it was when told to', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    await runner.act(ROUTE, 'pause', undefined, 'bob');
    await runner.close();
    await openRunner();
    for (let i = 0; i < 4; i++) await cycle(5);
    expect(current()).toMatchObject({ state: 'paused', currentStep: 1 });
    expect(fake.weights).toEqual({ v1: 75, v2: 25 });
    expect((await runner.act(ROUTE, 'resume', undefined, 'bob')).ok).toBe(true);
    for (let i = 0; i < 3; i++) await cycle(5);
    expect(fake.weights).toEqual({ v1: 50, v2: 50 });
  });

  it('after a restart, stops as interrupted (weights left alone) when they are not the recorded step', async () => {
    await start({ targetCanaryPercent: 100, stepPercent: 25 });
    await runner.close();
    fake.weights = { v1: 100, v2: 0 }; // e.g. the sidecars restarted with their configured weights
    await openRunner();
    // The audit log still says step 1: reconciliation is given missingRouteTicks cycles to put it back.
    for (let i = 0; i < 2; i++) await cycle(5);
    expect(current().state).toBe('running');
    await cycle(5);
    const s = current();
    expect(s.state).toBe('interrupted');
    expect(s.stoppedWhy).toBe(
      "after the restart the route's replicas serve v1=100, v2=0, not step 1's v1=75, v2=25, and reconciliation did not put it back; the weights were left as they are",
    );
    expect(fake.changes).toHaveLength(1);
    const onDisk = parseShiftsFile(await readFile(join(dir, 'shifts.json'), 'utf8')).shifts[0]!;
    expect(onDisk.state).toBe('interrupted');
  });
});
