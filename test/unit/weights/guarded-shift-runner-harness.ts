// GuardedShiftRunner over the stand-in weights service and hand-made scrapes, on a hand-moved clock,
// with its state file in a fresh directory for every test. The state is exported as live bindings so
// tests read `fake`, `runner`, `dir` and `events` directly; they change it only through the functions
// below.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ClusterCounters, SidecarScrape } from '../../../server/model/sidecar-data.ts';
import { GuardedShiftRunner } from '../../../server/weights/guarded-shift-runner.ts';
import { GuardedShiftStore } from '../../../server/weights/guarded-shift-store.ts';
import type { GuardedShift } from '../../../shared/api/guarded-shift.ts';
import { FakeWeights, REPLICAS, ROUTE } from './fake-shift-weights.ts';

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

export let dir: string;
let now: number;
export let fake: FakeWeights;
let routePresent: boolean;
/** Cumulative counters per cluster (each replica gets the same). */
let totals: Record<string, { total: number; errors: number }>;
let scrapes: Map<string, SidecarScrape>;
export let runner: GuardedShiftRunner;
/** Every shift the runner reported through onChange, in order. */
export let events: GuardedShift[];

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

/** A new runner over the current weights service and state file, opened: what a restarted dashboard has. */
export async function openRunner(): Promise<void> {
  runner = newRunner();
  await runner.open();
}

/** The weights service the next runner opened works on. */
export function useWeights(weights: FakeWeights): void {
  fake = weights;
}

/** Forgets the traffic counted so far, as a fresh set of sidecars would. */
export function clearTraffic(): void {
  totals = {};
  scrapes = new Map();
}

/** Whether the route is among those the runner is told about. */
export function reportRoute(present: boolean): void {
  routePresent = present;
}

/** Traffic per replica since the last cycle: the canary's share of `requests` failing at `canaryErrors`. */
export async function cycle(seconds: number, requests = 50, canaryErrors = 0): Promise<void> {
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

export function current(): GuardedShift {
  const r = runner.get(ROUTE);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

export const start = (body: Record<string, unknown>) =>
  runner.start(ROUTE, { canary: 'v2', intervalSeconds: 10, ...body }, fake.version, 'alice');

/** Registers the hooks: before every test a fresh directory and clock, v1=100, v2=0, and an open runner. */
export function setUpShiftHarness(): void {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guarded-shift-'));
    now = 1_000_000;
    useWeights(new FakeWeights({ v1: 100, v2: 0 }));
    reportRoute(true);
    clearTraffic();
    events = [];
    await openRunner();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
}
