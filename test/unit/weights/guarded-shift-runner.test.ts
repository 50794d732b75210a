// The runner over a stand-in weights service (versions, audit entries, refusals as the controller
// gives them) and hand-made scrapes, on a hand-moved clock: steps, promotion, rollback to exactly the
// starting weights, pause/resume/abort, outside changes, and a restart from the state file.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceResult } from '../../../server/api/dashboard-core.ts';
import type { ClusterCounters, SidecarScrape } from '../../../server/model/sidecar-data.ts';
import { GuardedShiftRunner, type ShiftWeights } from '../../../server/weights/guarded-shift-runner.ts';
import { GuardedShiftStore, parseShiftsFile } from '../../../server/weights/guarded-shift-store.ts';
import type { Weights } from '../../../server/weights/route-weights.ts';
import type { GuardedShift } from '../../../shared/api/guarded-shift.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';
import type { AuditEntry, RouteHistory, WeightChangeResult } from '../../../shared/api/weights.ts';

const ROUTE = 'default/web/listener/route/vh/0';
const REPLICAS = ['default/web/0', 'default/web/1'];

/** The weights controller's behaviour as the runner relies on it: If-Match, audit entries, refusals. */
class FakeWeights implements ShiftWeights {
  weights: Weights;
  entries: AuditEntry[] = [];
  version = 'v0';
  refuse: { status: number; message: string } | undefined;
  /** Answer as the static strategy does for real Envoy: written, served only after a restart. */
  needsRestart = false;
  changes: { weights: Weights; reason: string | undefined; who: string }[] = [];
  constructor(start: Weights) {
    this.weights = { ...start };
  }
  async change(routeId: string, body: unknown, ifMatch: string | undefined, who: string) {
    const b = body as { weights: Weights; reason?: string };
    if (ifMatch !== this.version) {
      return {
        ok: false as const,
        error: { status: 409, code: 'version_conflict', message: `stale version ${ifMatch}` },
      };
    }
    if (this.refuse) return { ok: false as const, error: { ...this.refuse, code: 'refused' } };
    const value = this.set(routeId, b.weights, who, b.reason);
    if (this.needsRestart)
      value.restartNeeded = { reason: 'static bootstrap', sidecars: ['x'], workloads: [] };
    return { ok: true as const, value };
  }
  /** A change as the controller records it, also used for changes "made by someone else". */
  set(routeId: string, weights: Weights, who: string, reason?: string): WeightChangeResult {
    const id = `a${this.entries.length + 1}`;
    const from = this.weights;
    this.weights = { ...weights };
    this.entries.push({
      id,
      at: 0,
      who,
      routeId,
      from,
      to: { ...weights },
      outcome: 'applied',
      ...(reason !== undefined && { reason }),
    });
    this.changes.push({ weights: { ...weights }, reason, who });
    this.version = `v${this.entries.length}`;
    return {
      routeId,
      version: this.version,
      from,
      to: weights,
      strategy: 'runtime',
      replicas: [],
      auditId: id,
    };
  }
  history(routeId: string): ServiceResult<RouteHistory> {
    return { ok: true, value: { routeId, entries: [...this.entries].reverse() } };
  }
  route(): WeightedRoute {
    const latest = this.entries.at(-1);
    return {
      id: ROUTE,
      source: { namespace: 'default', workload: 'web' },
      replicas: REPLICAS.map((id) => ({ sidecarId: id, adminUrl: 'http://127.0.0.1:9' })),
      listener: 'listener',
      routeConfig: 'route',
      virtualHost: 'vh',
      routeName: null,
      match: 'prefix /',
      runtimeKeyPrefix: 'split',
      totalWeight: 100,
      clusters: Object.entries(this.weights).map(([name, w]) => ({
        name,
        configuredWeight: 0,
        runtimeWeight: w,
        effectiveWeight: w,
        destination: null,
        observedShare: null,
      })),
      version: this.version,
      ...(latest && { desiredWeights: latest.to }),
      allowedTotals: [100],
    };
  }
}

const counters = (total: number, errors: number): ClusterCounters => ({
  upstream_rq_total: total,
  upstream_rq_xx: [0, total - errors, 0, 0, errors],
  upstream_rq_503: errors,
  upstream_rq_pending_overflow: 0,
  upstream_cx_overflow: 0,
  upstream_cx_none_healthy: 0,
  upstream_cx_connect_fail: 0,
  rqTime: undefined,
});

let dir: string;
let now: number;
let fake: FakeWeights;
let routePresent: boolean;
/** Cumulative counters per cluster (each replica gets the same). */
let totals: Record<string, { total: number; errors: number }>;
let scrapes: Map<string, SidecarScrape>;
let runner: GuardedShiftRunner;
let events: GuardedShift[];

function newRunner(): GuardedShiftRunner {
  const r = new GuardedShiftRunner({
    weights: fake,
    routes: () => (routePresent ? [fake.route()] : []),
    scrape: (id) => scrapes.get(id),
    store: new GuardedShiftStore(join(dir, 'shifts.json')),
    now: () => now,
    missingRouteTicks: 3,
  });
  r.onChange((s) => events.push(s));
  return r;
}

/** Traffic per replica since the last cycle: the canary's share of `requests` failing at `canaryErrors`. */
async function cycle(seconds: number, requests = 50, canaryErrors = 0): Promise<void> {
  now += seconds * 1000;
  const w = fake.weights;
  const sum = Object.values(w).reduce((a, b) => a + b, 0);
  for (const [name, weight] of Object.entries(w)) {
    const n = Math.round((requests * weight) / sum);
    const t = totals[name] ?? { total: 0, errors: 0 };
    totals[name] = t;
    t.total += n;
    if (name === 'v2') t.errors += Math.round(n * canaryErrors);
  }
  for (const id of REPLICAS) {
    scrapes.set(id, {
      targetId: id,
      at: now,
      clusters: new Map(Object.entries(totals).map(([n, t]) => [n, counters(t.total, t.errors)])),
      istio: [],
      hosts: new Map(),
      routes: [],
      runtime: new Map(),
      downstream: undefined,
    });
  }
  await runner.tick();
}

function current(): GuardedShift {
  const r = runner.get(ROUTE);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const start = (body: Record<string, unknown>) =>
  runner.start(ROUTE, { canary: 'v2', intervalSeconds: 10, ...body }, fake.version, 'alice');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guarded-shift-'));
  now = 1_000_000;
  fake = new FakeWeights({ v1: 100, v2: 0 });
  routePresent = true;
  totals = {};
  scrapes = new Map();
  events = [];
  runner = newRunner();
  await runner.open();
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

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
    fake = new FakeWeights({ v1: 67, v2: 33 });
    runner = newRunner();
    await runner.open();
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
          fake = new FakeWeights({ v1: 100 - c0, v2: c0 });
          totals = {};
          scrapes = new Map();
          await rm(join(dir, 'shifts.json'), { force: true });
          runner = newRunner();
          await runner.open();
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
    routePresent = false;
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

    runner = newRunner();
    await runner.open();
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
    runner = newRunner();
    await runner.open();
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
    runner = newRunner();
    await runner.open();
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
