// The static strategy end to end on this machine: the seed lab's bootstrap (Lab 4, with comments a
// user would add) run by a real meshscope-proxy, a route without runtime_key_prefix, bin/meshscope
// over a targets file that does not name the bootstrap (found from the proxy's /server_info). A PUT
// rewrites only the two weights in the file, the proxy reloads it and serves the new split; a route
// on a sidecar that does not reload (--no-watch, like Envoy) is written but reported as needing a
// restart; converting the route adds runtime_key_prefix, after which weights go through the runtime.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../../shared/api/errors.ts';
import {
  ConvertToRuntimeResultSchema,
  RouteHistorySchema,
  WeightChangeResultSchema,
} from '../../../shared/api/weights.ts';
import {
  type BackendProcess,
  type ProxyProcess,
  startBackend,
  startProxy,
  stopAll,
} from '../../support/processes.ts';
import { ADMIN_LAYER, seedLabBootstrap } from '../../support/seed-lab-bootstrap.ts';
import { type Dashboard, putWeights, route, runtimeOf, startDashboard, until } from './weights-harness.ts';

/** Writes need a bearer token: the one given with --token-file. */
const TOKEN = 'weights-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const putWeightsAuth = (base: string, id: string, body: unknown, version: string | undefined) =>
  putWeights(base, id, body, version, AUTH);

const ROUTE = 'default/frontend/listener_0/local_route/backend/0';
const FROZEN = 'default/frozen/listener_0/local_route/backend/0';
let dir: string;
let v1: BackendProcess;
let v2: BackendProcess;
let proxy: ProxyProcess;
let frozen: ProxyProcess;
let dash: Dashboard;
let seedText = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-weights-static-'));
  v1 = await startBackend({ name: 'v1' });
  v2 = await startBackend({ name: 'v2' });
  // A runtime admin layer, so the route can be converted to runtime weights and set live.
  seedText = `${await seedLabBootstrap({ v1: v1.port, v2: v2.port })}${ADMIN_LAYER}`;
  proxy = await startProxy(seedText);
  frozen = await startProxy(await seedLabBootstrap({ v1: v1.port, v2: v2.port }), { args: ['--no-watch'] });
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    [
      'targets:',
      `  - { workload: frontend, kind: meshscope-proxy, admin: ${proxy.adminUrl} }`,
      `  - { workload: frozen, kind: meshscope-proxy, admin: ${frozen.adminUrl}, bootstrap: ${frozen.configPath} }`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'tokens'), `ops ${TOKEN}\n`);
  dash = await startDashboard([
    '--targets',
    targets,
    '--audit-file',
    join(dir, 'audit.jsonl'),
    '--token-file',
    join(dir, 'tokens'),
  ]);
  await until(
    'both routes',
    async () => (await route(dash.base, ROUTE)) && route(dash.base, FROZEN),
    20_000,
    dash.output,
  );
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends n requests through the proxy's listener; how many each backend answered. */
async function split(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`http://127.0.0.1:${proxy.listenerPort}/`);
    await res.arrayBuffer();
    const b = res.headers.get('x-backend') ?? `status ${res.status}`;
    counts[b] = (counts[b] ?? 0) + 1;
  }
  return counts;
}

describe('static weights in a bootstrap file (meshscope-proxy reloads it)', () => {
  it('shows the route as static, rewrites only the weights, and the proxy serves the new split', async () => {
    const before = (await route(dash.base, ROUTE))!;
    expect(before).toMatchObject({ runtimeKeyPrefix: null, strategy: 'static' });
    const res = await putWeightsAuth(
      dash.base,
      ROUTE,
      { weights: { backend_v1: 50, backend_v2: 50 }, reason: 'half' },
      before.version,
    );
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const result = WeightChangeResultSchema.parse(body);
    expect(result).toMatchObject({
      strategy: 'static',
      outcome: 'applied',
      from: { backend_v1: 80, backend_v2: 20 },
      to: { backend_v1: 50, backend_v2: 50 },
      replicas: [{ sidecarId: 'default/frontend/0', status: 'applied' }],
      persisted: [{ kind: 'bootstrap-file', location: proxy.configPath }],
    });
    expect(result.restartNeeded).toBeUndefined();
    // Byte for byte the user's file, but for the two numbers (the comment after 80 kept).
    expect(readFileSync(proxy.configPath, 'utf8')).toBe(
      seedText.replace('weight: 80   #', 'weight: 50   #').replace('weight: 20\n', 'weight: 50\n'),
    );
    // 400 requests at p = 0.5: 4.5 standard deviations (±45) either side, a flake about once in 10^5.
    const counts = await split(400);
    expect(counts['v1']! + counts['v2']!).toBe(400);
    expect(Math.abs(counts['v1']! - 200)).toBeLessThan(45);
    // Once scraped, the route shows the new configured weights and the version the change returned.
    const after = await until('the route to show 50/50', async () => {
      const r = await route(dash.base, ROUTE);
      return r?.clusters[0]?.configuredWeight === 50 ? r : undefined;
    });
    expect(after.version).toBe(result.version);
    const history = RouteHistorySchema.parse(
      await (await fetch(`${dash.base}/api/routes/${encodeURIComponent(ROUTE)}/history`)).json(),
    );
    expect(history.entries[0]).toMatchObject({ id: result.auditId, reason: 'half', outcome: 'applied' });
    // The version it replaced is stale now.
    const stale = await putWeightsAuth(
      dash.base,
      ROUTE,
      { weights: { backend_v1: 0, backend_v2: 100 } },
      before.version,
    );
    expect(stale.status).toBe(409);
  });

  it('refuses weights for a cluster the bootstrap does not have, leaving the file as it was', async () => {
    const text = readFileSync(proxy.configPath, 'utf8');
    const r = (await route(dash.base, ROUTE))!;
    const res = await putWeightsAuth(
      dash.base,
      ROUTE,
      { weights: { backend_v1: 50, backend_v3: 50 } },
      r.version,
    );
    expect(res.status).toBe(400);
    expect(readFileSync(proxy.configPath, 'utf8')).toBe(text);
  });

  it('on a sidecar that does not reload, writes the file and says a restart is needed', async () => {
    const r = (await route(dash.base, FROZEN))!;
    const res = await putWeightsAuth(
      dash.base,
      FROZEN,
      { weights: { backend_v1: 10, backend_v2: 90 } },
      r.version,
    );
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const result = WeightChangeResultSchema.parse(body);
    expect(result).toMatchObject({
      strategy: 'static',
      outcome: 'partial',
      replicas: [{ status: 'pending', error: expect.stringMatching(/restart/) }],
      restartNeeded: { sidecars: ['default/frozen/0'], workloads: [] },
    });
    expect(readFileSync(frozen.configPath, 'utf8')).toMatch(/weight: 10 {3}# stable\n/);
    // Still serving 80/20 until restarted, the route already shows the version the change answered
    // with, so the next change (or an undo) from it is accepted.
    await new Promise((r) => setTimeout(r, 1200));
    const after = (await route(dash.base, FROZEN))!;
    expect(after.clusters.map((c) => c.configuredWeight)).toEqual([80, 20]);
    expect(after.version).toBe(result.version);
    // Locally there is no rollout restart to offer.
    const restart = await fetch(`${dash.base}/api/workloads/default/frozen/restart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: '{}',
    });
    expect(restart.status).toBe(422);
    expect(ApiErrorSchema.parse(await restart.json()).error).toMatchObject({ code: 'restart_unavailable' });
  });

  it('converts the route to runtime weights, after which a change goes through /runtime_modify', async () => {
    const r = (await route(dash.base, ROUTE))!;
    const res = await fetch(`${dash.base}/api/routes/${encodeURIComponent(ROUTE)}/convert-to-runtime`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH, 'if-match': r.version },
      body: JSON.stringify({ prefix: 'routing.traffic_split.backend' }),
    });
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const conversion = ConvertToRuntimeResultSchema.parse(body);
    expect(conversion.warnings).toBeUndefined();
    expect(conversion).toMatchObject({
      prefix: 'routing.traffic_split.backend',
      replicas: [{ status: 'applied' }],
      persisted: [{ kind: 'bootstrap-file', location: proxy.configPath }],
    });
    expect(readFileSync(proxy.configPath, 'utf8')).toContain(
      'weighted_clusters:\n                    runtime_key_prefix: routing.traffic_split.backend\n                    clusters:\n',
    );
    const converted = await until('the route to be a runtime route', async () => {
      const c = await route(dash.base, ROUTE);
      return c?.strategy === 'runtime' ? c : undefined;
    });
    const change = await putWeightsAuth(
      dash.base,
      ROUTE,
      { weights: { backend_v1: 100, backend_v2: 0 } },
      converted.version,
    );
    const changeBody: unknown = await change.json();
    expect(change.status, JSON.stringify(changeBody)).toBe(200);
    const changed = WeightChangeResultSchema.parse(changeBody);
    expect(changed).toMatchObject({ strategy: 'runtime', outcome: 'applied' });
    expect(await runtimeOf(proxy.adminUrl)).toMatchObject({
      'routing.traffic_split.backend.backend_v1': '100',
      'routing.traffic_split.backend.backend_v2': '0',
    });
    expect(await split(20)).toEqual({ v1: 20 });
  });
});
