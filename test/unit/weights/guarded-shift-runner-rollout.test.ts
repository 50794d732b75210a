// GuardedShiftRunner taking a shift through: steps to the target and promotion, rollback to exactly the
// starting weights, and the starts it refuses. The harness (stand-in weights service, hand-made scrapes,
// hand-moved clock) is in guarded-shift-runner-harness.ts.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShiftsFile } from '../../../server/weights/guarded-shift-store.ts';
import { FakeWeights, ROUTE } from './fake-shift-weights.ts';
import {
  clearTraffic,
  current,
  cycle,
  dir,
  events,
  fake,
  openRunner,
  runner,
  setUpShiftHarness,
  start,
  useWeights,
} from './guarded-shift-runner-harness.ts';

setUpShiftHarness();

describe('GuardedShiftRunner', () => {
  it('steps to the target on a healthy canary and promotes, every step through the weights service', async () => {
    const r = await start({ targetCanaryPercent: 100, stepPercent: 25, reason: 'v2 rollout' });
    expect(r.ok).toBe(true);
    expect(fake.weights).toEqual({ v1: 75, v2: 25 });
    for (let i = 0; i < 12 && current().state === 'running'; i++) await cycle(5);
    const s = current();
    expect(s.state).toBe('promoted');
    expect(fake.weights).toEqual({ v1: 0, v2: 100 });
    expect(fake.changes.map((c) => c.weights.v2)).toEqual([25, 50, 75, 100]);
    expect(fake.changes[1]!.reason).toBe(`guarded shift step 2/4 (${s.id}): v2 rollout`);
    expect(fake.changes.every((c) => c.who === 'alice')).toBe(true);
    expect(s.decisions.map((d) => d.action)).toEqual(['advance', 'advance', 'advance', 'promote']);
    expect(s.decisions[0]!.canary.requests).toBeGreaterThanOrEqual(20);
    expect(events.at(-1)?.state).toBe('promoted');
  });

  it('rolls back to exactly the starting weights when the canary fails, with the figures', async () => {
    useWeights(new FakeWeights({ v1: 67, v2: 33 }));
    await openRunner();
    await start({ targetCanaryPercent: 90, stepPercent: 10 });
    await cycle(5);
    await cycle(6);
    await cycle(5, 50, 0.5);
    const s = current();
    expect(s.state).toBe('rolled_back');
    expect(fake.weights).toEqual({ v1: 67, v2: 33 });
    expect(s.currentWeights).toEqual(s.startWeights);
    expect(s.stoppedWhy).toMatch(
      /^canary 503 ratio \d+\.\d% \(\d+ of \d+ requests\) exceeds the baseline's 0\.0% \+ 1\.0%$/,
    );
    expect(s.decisions.at(-1)).toMatchObject({ action: 'rollback', step: 1 });
    expect(fake.changes.at(-1)!.reason).toMatch(/^guarded shift rollback \(gs-/);
  });

  it('a rollback from any step puts back exactly the starting weights (any start, target, failing step)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 6 }),
        async (c0, pct, step, failAfter) => {
          fc.pre(Math.round(pct) > c0);
          useWeights(new FakeWeights({ v1: 100 - c0, v2: c0 }));
          clearTraffic();
          await rm(join(dir, 'shifts.json'), { force: true });
          await openRunner();
          const r = await start({ targetCanaryPercent: pct, stepPercent: step, intervalSeconds: 1 });
          expect(r.ok).toBe(true);
          // 2,000 requests a cycle: even a 1 % canary gets the 20 a step needs to be judged.
          for (let i = 0; i < failAfter; i++) await cycle(1.1, 2000);
          for (let i = 0; i < 3; i++) await cycle(1.1, 2000, 1);
          const s = current();
          if (s.state === 'rolled_back') expect(fake.weights).toEqual({ v1: 100 - c0, v2: c0 });
          else expect(s.state).toBe('promoted');
          for (const c of fake.changes) {
            expect(c.weights.v1! + c.weights.v2!).toBe(100);
            expect(c.weights.v2!).toBeLessThanOrEqual(pct);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a stale If-Match, a second shift, and bad bodies, leaving nothing behind', async () => {
    const stale = await runner.start(ROUTE, { canary: 'v2', targetCanaryPercent: 50 }, 'old', 'alice');
    expect(stale).toMatchObject({ ok: false, error: { status: 409 } });
    const bad = await runner.start(ROUTE, { canary: 'v3', targetCanaryPercent: 50 }, fake.version, 'a');
    expect(bad).toMatchObject({ ok: false, error: { status: 400, field: 'canary' } });
    const both = await runner.start(ROUTE, { canary: 'v2' }, fake.version, 'a');
    expect(both).toMatchObject({ ok: false, error: { status: 400, field: 'targetWeights' } });
    const down = await runner.start(
      ROUTE,
      { canary: 'v1', targetWeights: { v1: 100, v2: 0 } },
      fake.version,
      'a',
    );
    expect(down).toMatchObject({ ok: false, error: { status: 400, field: 'targetWeights.v1' } });
    expect(runner.list()).toEqual([]);
    expect(fake.changes).toEqual([]);
    expect((await start({ targetCanaryPercent: 50 })).ok).toBe(true);
    expect(await start({ targetCanaryPercent: 50 })).toMatchObject({ ok: false, error: { status: 409 } });
  });

  it('a first step the weights service refuses is returned as is and no shift remains', async () => {
    fake.refuse = { status: 422, message: 'static weights' };
    expect(await start({ targetCanaryPercent: 50 })).toMatchObject({ ok: false, error: { status: 422 } });
    expect(runner.list()).toEqual([]);
    expect(parseShiftsFile(await readFile(join(dir, 'shifts.json'), 'utf8')).shifts).toEqual([]);
  });

  it('aborts at once, back to the starting weights, on a route whose sidecars serve new weights only after a restart', async () => {
    fake.needsRestart = true;
    expect((await start({ targetCanaryPercent: 100, stepPercent: 25 })).ok).toBe(true);
    const s = current();
    expect(s.state).toBe('aborted');
    expect(s.stoppedWhy).toMatch(/only after a restart/);
    expect(fake.weights).toEqual({ v1: 100, v2: 0 });
  });
});
