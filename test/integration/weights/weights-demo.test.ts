// The weights API end to end on the demo mesh: the real bin/meshscope over the demo's targets file,
// real sidecars (bin/meshscope-proxy) with the demo's layered runtime (static, disk, admin), real load.
// A change shows in every replica's /runtime and on disk, the observed split follows it, a restarted
// sidecar keeps it, a sidecar that was down during a change converges when it is back, concurrent
// changes on one version give one 409, and invalid bodies change nothing.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoChild, spawnSidecar, waitForReady } from '../../../server/demo/demo-children.ts';
import { type DemoMesh, type DemoMeshWorkload, startDemoMesh } from '../../../server/demo/start-demo-mesh.ts';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import {
  type AuditEntry,
  AuditEntrySchema,
  RouteHistorySchema,
  type WeightChangeResult,
  WeightChangeResultSchema,
} from '../../../shared/api/weights.ts';
import {
  type Dashboard,
  putWeights,
  route,
  runtimeOf,
  startDashboard,
  until,
  upstreamTotals,
  WRITE_HEADERS,
} from './weights-harness.ts';

const ROUTE = 'default/frontend/listener_0/local_route/backend/0';
const KEY = 'routing.traffic_split.backend';
let workDir: string;
let demo: DemoMesh;
let dash: Dashboard;
let frontend: DemoMeshWorkload;
let restarted: DemoChild | undefined;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'meshscope-weights-'));
  demo = await startDemoMesh({ workDir, baseAddress: '127.0.86.', ratePerSecond: 60 });
  frontend = demo.workloads.find((w) => w.name === 'frontend')!;
  dash = await startDashboard(['--targets', demo.targetsPath, '--audit-file', join(workDir, 'audit.jsonl')]);
  await until('the frontend route', () => route(dash.base, ROUTE), 20_000, dash.output);
}, 90_000);

afterAll(async () => {
  await dash?.stop();
  await restarted?.stop(5_000);
  await demo?.stop();
});

const weightsOn = async (adminUrl: string) => {
  const rt = await runtimeOf(adminUrl);
  return { backend_v1: Number(rt[`${KEY}.backend_v1`]), backend_v2: Number(rt[`${KEY}.backend_v2`]) };
};
const onDisk = (w: string) => readFileSync(join(frontend.runtimeRoot, 'envoy', `${KEY}.${w}`), 'utf8');
const currentVersion = async () => (await route(dash.base, ROUTE))!.version;

async function apply(weights: Record<string, number>, reason?: string): Promise<WeightChangeResult> {
  const res = await putWeights(
    dash.base,
    ROUTE,
    { weights, ...(reason && { reason }) },
    await currentVersion(),
  );
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return WeightChangeResultSchema.parse(body);
}

async function stopFrontendSidecar(): Promise<void> {
  if (restarted) {
    await restarted.stop(5_000);
    restarted = undefined;
  } else {
    process.kill(frontend.sidecarPid, 'SIGTERM');
  }
  await until('the frontend sidecar to be down', () =>
    fetch(`${frontend.adminUrl}/ready`).then(
      () => false,
      () => true,
    ),
  );
}

async function startFrontendSidecar(): Promise<void> {
  restarted = spawnSidecar({
    name: 'frontend',
    bootstrapPath: frontend.bootstrapPath,
    hostsFile: join(workDir, 'hosts'),
    logPath: join(workDir, 'logs', 'frontend-restarted.log'),
  });
  await waitForReady(restarted, frontend.adminUrl, Date.now() + 20_000);
}

describe('weights on the demo mesh (runtime strategy)', () => {
  let first: WeightChangeResult;

  it('applies 50/50: every replica’s /runtime shows it, the disk layer holds it, /api/routes follows', async () => {
    expect(await weightsOn(frontend.adminUrl)).toEqual({ backend_v1: 80, backend_v2: 20 });
    first = await apply({ backend_v1: 50, backend_v2: 50 }, 'canary to half');
    expect(first).toMatchObject({
      routeId: ROUTE,
      from: { backend_v1: 80, backend_v2: 20 },
      to: { backend_v1: 50, backend_v2: 50 },
      strategy: 'runtime',
      outcome: 'applied',
      replicas: [{ sidecarId: 'default/frontend/0', status: 'applied' }],
      persisted: [{ kind: 'runtime-dir', location: join(frontend.runtimeRoot, 'envoy') }],
    });
    expect(await weightsOn(frontend.adminUrl)).toEqual({ backend_v1: 50, backend_v2: 50 });
    expect([onDisk('backend_v1'), onDisk('backend_v2')]).toEqual(['50', '50']);
    // Once scraped again, the routes API shows the version the change returned, and no drift.
    const r = await until('the route to show the change', async () => {
      const r = await route(dash.base, ROUTE);
      return r?.replicas[0]?.drift === false && r.clusters[0]?.effectiveWeight === 50 ? r : undefined;
    });
    expect(r.version).toBe(first.version);
    expect(r.desiredWeights).toEqual({ backend_v1: 50, backend_v2: 50 });
    expect(r.drift).toBe(false);
  });

  it('the observed split converges to 50/50 within binomial bounds', async () => {
    const before = await upstreamTotals(frontend.adminUrl);
    let n = 0;
    let v1 = 0;
    await until(
      '400 requests through the frontend',
      async () => {
        const now = await upstreamTotals(frontend.adminUrl);
        v1 = (now['backend_v1'] ?? 0) - (before['backend_v1'] ?? 0);
        n = v1 + (now['backend_v2'] ?? 0) - (before['backend_v2'] ?? 0);
        return n >= 400;
      },
      40_000,
    );
    // 4.5 standard deviations of a fair coin over n draws: a false alarm about once in 150,000 runs,
    // while the old 80/20 split would sit 0.3 away (over 12 deviations at n = 400).
    const bound = 4.5 * Math.sqrt(0.25 / n);
    expect(Math.abs(v1 / n - 0.5)).toBeLessThanOrEqual(bound);
  });

  it('two concurrent changes with the same If-Match: exactly one is a 409', async () => {
    const version = await currentVersion();
    const [a, b] = await Promise.all([
      putWeights(dash.base, ROUTE, { weights: { backend_v1: 60, backend_v2: 40 } }, version),
      putWeights(dash.base, ROUTE, { weights: { backend_v1: 40, backend_v2: 60 } }, version),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = WeightChangeResultSchema.parse(await (a.status === 200 ? a : b).json());
    const loser = ApiErrorSchema.parse(await (a.status === 200 ? b : a).json());
    expect(loser.error.code).toBe('version_conflict');
    expect(await weightsOn(frontend.adminUrl)).toEqual(winner.to);
  });

  it('invalid bodies get a 400 and leave the weights, the disk layer and the history unchanged', async () => {
    const before = await weightsOn(frontend.adminUrl);
    const historyBefore = RouteHistorySchema.parse(
      await (await fetch(`${dash.base}/api/routes/${ROUTE}/history`)).json(),
    ).entries.length;
    const version = await currentVersion();
    const invalid = fc.oneof(
      fc.constantFrom<unknown>(
        { weights: { backend_v1: 50.5, backend_v2: 49.5 } },
        { weights: { backend_v1: -10, backend_v2: 110 } },
        { weights: { backend_v1: 100 } },
        { weights: { backend_v1: 50, backend_v2: 50, backend_v3: 0 } },
        { weights: { backend_v1: 50, backend_v2: 40 } },
        { weights: { backend_v1: 0, backend_v2: 0 } },
        { weights: { backend_v1: 1e12, backend_v2: 0 } },
        { weights: { backend_v1: '50', backend_v2: '50' } },
        { weights: { backend_v1: 50, backend_v2: 50 }, force: true },
        [50, 50],
        'weights',
      ),
      fc.record({ weights: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.boolean())) }),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (body) => {
        const res = await putWeights(dash.base, ROUTE, body, version);
        const err = ApiErrorSchema.parse(await res.json());
        expect(res.status, JSON.stringify(err)).toBe(400);
      }),
      { numRuns: 40 },
    );
    expect(await weightsOn(frontend.adminUrl)).toEqual(before);
    expect([Number(onDisk('backend_v1')), Number(onDisk('backend_v2'))]).toEqual([
      before.backend_v1,
      before.backend_v2,
    ]);
    const historyAfter = RouteHistorySchema.parse(
      await (await fetch(`${dash.base}/api/routes/${ROUTE}/history`)).json(),
    ).entries.length;
    expect(historyAfter).toBe(historyBefore);
    expect(await currentVersion()).toBe(version);
  });

  it('a restarted sidecar keeps the weights: its disk layer holds them before any reconciliation', async () => {
    const before = await weightsOn(frontend.adminUrl);
    await stopFrontendSidecar();
    await startFrontendSidecar();
    // Read at once after /ready: the admin layer is empty after a restart, so this is the disk layer.
    const doc = (await (await fetch(`${frontend.adminUrl}/runtime`)).json()) as {
      layers: string[];
      entries: Record<string, { final_value: string; layer_values: string[] }>;
    };
    const entry = doc.entries[`${KEY}.backend_v1`]!;
    expect(entry.final_value).toBe(String(before.backend_v1));
    expect(entry.layer_values[doc.layers.indexOf('disk_layer_0')]).toBe(String(before.backend_v1));
    expect(entry.layer_values[doc.layers.indexOf('admin_layer_0')] ?? '').toBe('');
  });

  let partial: WeightChangeResult;
  it('a sidecar down during a change is pending, and converges when it is back', async () => {
    await stopFrontendSidecar();
    partial = await apply({ backend_v1: 30, backend_v2: 70 }, 'while down');
    expect(partial.outcome).toBe('partial');
    expect(partial.replicas[0]).toMatchObject({
      status: 'pending',
      error: expect.stringMatching(/unreachable/),
    });
    // Made durable anyway: the sidecar reads it when it starts.
    expect([onDisk('backend_v1'), onDisk('backend_v2')]).toEqual(['30', '70']);
    await startFrontendSidecar();
    expect(await weightsOn(frontend.adminUrl)).toEqual({ backend_v1: 30, backend_v2: 70 });
    await until('no drift in /api/routes', async () => {
      const r = await route(dash.base, ROUTE);
      return r?.replicas[0]?.drift === false && r.clusters[0]?.effectiveWeight === 30;
    });
  });

  it('history lists the changes newest first; a revert puts back the weights before a change', async () => {
    const history = RouteHistorySchema.parse(
      await (await fetch(`${dash.base}/api/routes/${ROUTE}/history`)).json(),
    );
    expect(history.entries[0]).toMatchObject({
      id: partial.auditId,
      who: 'token',
      reason: 'while down',
      outcome: 'partial',
    });
    expect(history.entries.at(-1)).toMatchObject({
      id: first.auditId,
      reason: 'canary to half',
      outcome: 'applied',
    });
    const res = await fetch(`${dash.base}/api/routes/${encodeURIComponent(ROUTE)}/revert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...WRITE_HEADERS, 'if-match': await currentVersion() },
      body: JSON.stringify({ auditId: partial.auditId, reason: 'undo' }),
    });
    const reverted = WeightChangeResultSchema.parse(await res.json());
    expect(reverted.to).toEqual(partial.from);
    expect(await weightsOn(frontend.adminUrl)).toEqual(partial.from);
    // The audit file is plain JSON lines, fsynced before each answer: every change is there.
    const lines = readFileSync(join(workDir, 'audit.jsonl'), 'utf8').trim().split('\n');
    const entries: AuditEntry[] = lines.map((l) => AuditEntrySchema.parse(JSON.parse(l)));
    expect(entries.at(-1)).toMatchObject({ id: reverted.auditId, revertOf: partial.auditId, reason: 'undo' });
  });
});
