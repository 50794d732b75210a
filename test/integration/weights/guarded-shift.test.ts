// Guarded shifts end to end: one proxy (our sidecar) splitting paced load between two real backends
// with runtime weights, the real bin/meshscope scraping it every 0.5 s over a targets file, and the
// API driving shifts with 1–2 s steps of 25 points. A healthy canary is promoted; a canary whose
// backend is stopped (the proxy answers 503, connection failures) is rolled back to the starting
// weights; a dashboard killed mid-shift resumes it when started again, or stops it as interrupted
// when the route was changed while it was down.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type GuardedShift, GuardedShiftSchema } from '../../../shared/api/guarded-shift.ts';
import { type PacedLoad, pacedLoad } from '../../support/paced-load.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import {
  type Dashboard,
  route,
  routes,
  runtimeOf,
  startDashboard,
  until,
  WRITE_HEADERS,
  webSplitBootstrap,
} from './weights-harness.ts';

const PREFIX = 'routing.split.web';
/** Errors judged as by default; latency only past 1 s (two busy cores make small p99s jumpy). */
const LENIENT = { minRequests: 10, maxP99: { kind: 'absolute', ms: 1000 } };

let v1: BackendProcess;
let v2: BackendProcess;
let proxy: ProxyProcess;
let load: PacedLoad;
let dir: string;
let targets: string;
let dash: Dashboard | undefined;
let routeId = '';

const dashboardArgs = () => ['--targets', targets, '--audit-file', join(dir, 'audit.jsonl'), '-l', 'info'];
const url = (suffix = '') => `${dash!.base}/api/routes/${encodeURIComponent(routeId)}/guarded-shift${suffix}`;

async function shiftNow(): Promise<GuardedShift> {
  return GuardedShiftSchema.parse(await (await fetch(url())).json());
}

async function startShift(body: Record<string, unknown>): Promise<Response> {
  const r = await route(dash!.base, routeId);
  return fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...WRITE_HEADERS, 'if-match': r!.version },
    body: JSON.stringify(body),
  });
}

async function settled(timeoutMs = 30_000): Promise<GuardedShift> {
  return until(
    'the shift to end',
    async () => {
      const s = await shiftNow();
      return s.state === 'running' || s.state === 'paused' ? undefined : s;
    },
    timeoutMs,
    () => dash?.output() ?? '',
  );
}

const split = async () => {
  const rt = await runtimeOf(proxy.adminUrl);
  return { web_v1: Number(rt[`${PREFIX}.web_v1`] ?? 'NaN'), web_v2: Number(rt[`${PREFIX}.web_v2`] ?? 'NaN') };
};

/**
 * Starts a shift to web_v2 in 25-point steps of `intervalSeconds` (LENIENT), then kills the dashboard
 * (SIGKILL, nothing written on the way out) while the shift runs.
 */
async function startShiftThenKill(targetCanaryPercent: number, intervalSeconds: number): Promise<void> {
  const res = await startShift({
    canary: 'web_v2',
    targetCanaryPercent,
    stepPercent: 25,
    intervalSeconds,
    thresholds: LENIENT,
  });
  expect(res.status).toBe(201);
  dash!.proc.kill('SIGKILL');
  await dash!.stop();
}

/** Back to 100/0 through the weights API, so every test starts from the same split. */
async function resetWeights(): Promise<void> {
  const r = (await route(dash!.base, routeId))!;
  const current = Object.fromEntries(r.clusters.map((c) => [c.name, c.effectiveWeight]));
  if (current['web_v1'] === 100) return;
  const res = await fetch(`${dash!.base}/api/routes/${encodeURIComponent(routeId)}/weights`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...WRITE_HEADERS, 'if-match': r.version },
    body: JSON.stringify({ weights: { web_v1: 100, web_v2: 0 }, reason: 'test reset' }),
  });
  expect(res.status).toBe(200);
  await until('the routes to show 100/0', async () => {
    const now = await route(dash!.base, routeId);
    return now?.clusters.find((c) => c.name === 'web_v1')?.effectiveWeight === 100;
  });
}

beforeAll(async () => {
  [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  proxy = await startProxy(webSplitBootstrap(v1.port, v2.port, { prefix: PREFIX, v2Weight: 0 }));
  dir = mkdtempSync(join(tmpdir(), 'meshscope-guarded-shift-'));
  targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({ targets: [{ workload: 'web', kind: 'meshscope-proxy', admin: [proxy.adminUrl] }] }),
  );
  load = pacedLoad(`http://127.0.0.1:${proxy.listenerPort}/`, 80);
  dash = await startDashboard(dashboardArgs());
  routeId = (await until('the weighted route', async () => (await routes(dash!.base))[0])).id;
}, 60_000);

afterEach(async () => {
  if (dash !== undefined && dash.proc.exitCode === null && dash.proc.signalCode === null)
    await resetWeights();
});

afterAll(async () => {
  load?.stop();
  await dash?.stop();
  await stopAll();
});

describe('guarded shift (bin/meshscope, our proxy, real backends)', () => {
  it('promotes a healthy canary step by step, every step in the audit log', async () => {
    const res = await startShift({
      canary: 'web_v2',
      targetCanaryPercent: 100,
      stepPercent: 25,
      intervalSeconds: 1,
      thresholds: LENIENT,
      reason: 'v2 rollout',
    });
    expect(res.status).toBe(201);
    const started = GuardedShiftSchema.parse(await res.json());
    expect(started).toMatchObject({
      state: 'running',
      currentStep: 1,
      currentWeights: { web_v1: 75, web_v2: 25 },
    });
    const done = await settled();
    expect(done.state, done.stoppedWhy ?? '').toBe('promoted');
    // A step may also record a 'wait' if the paced load lags on a busy machine; it never fails one.
    const moves = done.decisions.filter((d) => d.action !== 'wait');
    expect(moves.map((d) => d.action)).toEqual(['advance', 'advance', 'advance', 'promote']);
    for (const d of moves) {
      expect(d.canary.requests).toBeGreaterThanOrEqual(10);
      expect(d.canary.errors5xx).toBe(0);
    }
    expect(await split()).toEqual({ web_v1: 0, web_v2: 100 });
    const history = (await (
      await fetch(`${dash!.base}/api/routes/${encodeURIComponent(routeId)}/history`)
    ).json()) as {
      entries: { reason?: string; to: Record<string, number> }[];
    };
    const reasons = history.entries.map((e) => e.reason).reverse();
    expect(reasons.filter((r) => r?.startsWith('guarded shift step'))).toEqual([
      `guarded shift step 1/4 (${done.id}): v2 rollout`,
      `guarded shift step 2/4 (${done.id}): v2 rollout`,
      `guarded shift step 3/4 (${done.id}): v2 rollout`,
      `guarded shift step 4/4 (${done.id}): v2 rollout`,
    ]);
    const list = (await (await fetch(`${dash!.base}/api/guarded-shifts`)).json()) as {
      shifts: GuardedShift[];
    };
    expect(list.shifts.map((s) => s.id)).toContain(done.id);
  });

  it('rolls back to the starting weights when the canary answers 503s, saying why', async () => {
    await v2.stop();
    try {
      const res = await startShift({
        canary: 'web_v2',
        targetCanaryPercent: 100,
        stepPercent: 25,
        intervalSeconds: 2,
        thresholds: LENIENT,
      });
      expect(res.status).toBe(201);
      const done = await settled();
      expect(done.state).toBe('rolled_back');
      expect(done.stoppedWhy).toMatch(
        /^canary 503 ratio 100\.0% \(\d+ of \d+ requests\) exceeds the baseline's 0\.0% \+ 1\.0%$/,
      );
      const last = done.decisions.at(-1)!;
      expect(last).toMatchObject({ action: 'rollback', step: 1 });
      expect(last.canary.errors503).toBe(last.canary.requests);
      expect(last.baseline.errors5xx).toBe(0);
      expect(await split()).toEqual({ web_v1: 100, web_v2: 0 });
    } finally {
      v2 = await startBackend({ name: 'v2', port: v2.port });
    }
  });

  it('pause, resume and abort over HTTP, each sent as a guarded-shift event; writes need JSON and If-Match', async () => {
    const noIfMatch = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...WRITE_HEADERS },
      body: JSON.stringify({ canary: 'web_v2', targetCanaryPercent: 50 }),
    });
    expect(noIfMatch.status).toBe(428);
    const bad = await startShift({ canary: 'web_v2', targetCanaryPercent: 50, stepPercent: 0 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('stepPercent');

    const stream = await fetch(`${dash!.base}/api/events/guarded-shifts`);
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const sawEvent = (state: string) =>
      until(`a guarded-shift event with state ${state}`, async () => {
        while (!received.includes(`"state":"${state}"`)) {
          const { value, done } = await reader.read();
          if (done) return false;
          received += value;
        }
        return true;
      });
    try {
      const res = await startShift({
        canary: 'web_v2',
        targetCanaryPercent: 100,
        stepPercent: 25,
        intervalSeconds: 30,
        thresholds: LENIENT,
      });
      expect(res.status).toBe(201);
      await sawEvent('running');
      const form = await fetch(url('/pause'), {
        method: 'POST',
        body: 'x=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...WRITE_HEADERS },
      });
      expect(form.status).toBe(415);
      const act = (a: string, body: unknown = {}) =>
        fetch(url(`/${a}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...WRITE_HEADERS },
          body: JSON.stringify(body),
        });
      const paused = await act('pause', { reason: 'look at dashboards' });
      expect(paused.status).toBe(200);
      expect(GuardedShiftSchema.parse(await paused.json())).toMatchObject({
        state: 'paused',
        stoppedWhy: 'paused by token: look at dashboards',
      });
      await sawEvent('paused');
      expect((await act('pause')).status).toBe(409);
      expect((await act('resume')).status).toBe(200);
      const aborted = GuardedShiftSchema.parse(await (await act('abort', { reason: 'wrong build' })).json());
      expect(aborted).toMatchObject({ state: 'aborted', stoppedWhy: 'aborted by token: wrong build' });
      await sawEvent('aborted');
      expect(await split()).toEqual({ web_v1: 100, web_v2: 0 });
      expect((await act('resume')).status).toBe(409);
    } finally {
      await reader.cancel();
    }
  });

  it('a dashboard killed mid-shift resumes it when started again', async () => {
    await startShiftThenKill(50, 2);
    expect(await split()).toEqual({ web_v1: 75, web_v2: 25 });
    dash = await startDashboard(dashboardArgs());
    const done = await settled();
    expect(done.state, done.stoppedWhy ?? '').toBe('promoted');
    expect(done.events.map((e) => e.message)).toContain(
      "dashboard restarted: step 1's window starts again after the restart",
    );
    expect(await split()).toEqual({ web_v1: 50, web_v2: 50 });
  });

  it('a dashboard restarted --read-only leaves a running shift as it is; started again with writes, it resumes it', async () => {
    await startShiftThenKill(50, 1);
    expect(await split()).toEqual({ web_v1: 75, web_v2: 25 });
    dash = await startDashboard([...dashboardArgs(), '--read-only']);
    try {
      // Several 1 s intervals with traffic that would promote: no step, no rollback, no write.
      await new Promise((r) => setTimeout(r, 4_000));
      expect(await split()).toEqual({ web_v1: 75, web_v2: 25 });
      const left = await shiftNow();
      expect(left).toMatchObject({ state: 'running', currentStep: 1 });
      const pause = await fetch(url('/pause'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...WRITE_HEADERS },
        body: '{}',
      });
      expect(pause.status).toBe(403);
      expect(((await pause.json()) as { error: { code: string } }).error.code).toBe('read_only');
      expect(dash.output()).toMatch(/read-only: 1 guarded shift\(s\) left as they are/);
    } finally {
      await dash.stop();
    }
    dash = await startDashboard(dashboardArgs());
    const done = await settled();
    expect(done.state, done.stoppedWhy ?? '').toBe('promoted');
    expect(await split()).toEqual({ web_v1: 50, web_v2: 50 });
  });

  it('a dashboard killed mid-shift stops it as interrupted if the route changed meanwhile, weights left alone', async () => {
    await startShiftThenKill(100, 30);
    // While it is down, someone redeploys the proxy with static weights (no runtime key prefix).
    proxy.writeConfig(webSplitBootstrap(v1.port, v2.port, { v2Weight: 10 }));
    try {
      dash = await startDashboard(dashboardArgs());
      const done = await settled();
      expect(done.state).toBe('interrupted');
      expect(done.stoppedWhy).toBe(
        "after the restart the route's weights are web_v1=90, web_v2=10, not step 1's web_v1=75, web_v2=25; they were left as they are",
      );
      const r = await route(dash.base, routeId);
      expect(r?.clusters.map((c) => c.effectiveWeight)).toEqual([90, 10]);
      // The UI is told plainly: the API answers the interrupted shift for the route.
      expect((await shiftNow()).state).toBe('interrupted');
    } finally {
      proxy.writeConfig(webSplitBootstrap(v1.port, v2.port, { prefix: PREFIX, v2Weight: 0 }));
      await until(
        'the runtime route back',
        async () => (await route(dash!.base, routeId))?.runtimeKeyPrefix === PREFIX,
      );
    }
  });
});
