// Reconciliation with real proxies that have no disk layer (admin layer only, so nothing but meshscope
// puts the weights back after a restart): two replicas of one workload behind a targets file, the
// real bin/meshscope scraping them. A replica edited by hand is repaired; one that was down during a
// change, and restarts with its configured weights, gets the change when it is back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { WeightChangeResultSchema } from '../../../shared/api/weights.ts';
import { type ProxyProcess, startBackend, startProxy, stopAll } from '../../support/processes.ts';
import {
  type Dashboard,
  putWeights,
  route,
  routes,
  runtimeOf,
  startDashboard,
  until,
  webSplitBootstrap,
} from './weights-harness.ts';

const PREFIX = 'routing.split.web';
let dash: Dashboard;
let replicas: ProxyProcess[];
let routeId = '';

const split = async (p: ProxyProcess) => {
  const rt = await runtimeOf(p.adminUrl);
  return [rt[`${PREFIX}.web_v1`], rt[`${PREFIX}.web_v2`]];
};

beforeAll(async () => {
  const [v1, v2] = await Promise.all([startBackend({ name: 'v1' }), startBackend({ name: 'v2' })]);
  const config = webSplitBootstrap(v1.port, v2.port, { prefix: PREFIX });
  replicas = [await startProxy(config), await startProxy(config)];
  const dir = mkdtempSync(join(tmpdir(), 'meshscope-reconcile-'));
  const targets = join(dir, 'targets.yaml');
  writeFileSync(
    targets,
    stringify({
      targets: [{ workload: 'web', kind: 'meshscope-proxy', admin: replicas.map((r) => r.adminUrl) }],
    }),
  );
  dash = await startDashboard(['--targets', targets, '--audit-file', join(dir, 'audit.jsonl'), '-l', 'info']);
  const found = await until('the weighted route of both replicas', async () =>
    (await routes(dash.base)).find((r) => r.replicas.length === 2),
  );
  routeId = found.id;
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAll();
});

describe('reconciliation', () => {
  it('applies to both replicas, and says the weights are not persisted without a disk layer', async () => {
    const res = await putWeights(
      dash.base,
      routeId,
      { weights: { web_v1: 50, web_v2: 50 } },
      (await route(dash.base, routeId))!.version,
    );
    const result = WeightChangeResultSchema.parse(await res.json());
    expect(result.outcome).toBe('applied');
    expect(result.replicas.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(result.persisted).toEqual([]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings?.[0]).toMatch(
      /not persisted \(.*no runtime disk layer.*\); it keeps these weights until it restarts/,
    );
    for (const r of replicas) expect(await split(r)).toEqual(['50', '50']);
  });

  it('repairs a replica whose runtime was changed behind its back', async () => {
    const edited = await fetch(
      `${replicas[1]!.adminUrl}/runtime_modify?${PREFIX}.web_v1=90&${PREFIX}.web_v2=10`,
      {
        method: 'POST',
      },
    );
    expect(edited.status).toBe(200);
    await until(
      'the replica to be repaired',
      async () => (await split(replicas[1]!)).join() === '50,50',
      10_000,
      dash.output,
    );
    expect(dash.output()).toMatch(/reconciled default\/web\/1/);
  });

  it('a replica down during a change restarts with its configured weights and is brought in line', async () => {
    const down = replicas[1]!;
    await down.stop();
    const res = await putWeights(
      dash.base,
      routeId,
      { weights: { web_v1: 30, web_v2: 70 } },
      (await route(dash.base, routeId))!.version,
    );
    const result = WeightChangeResultSchema.parse(await res.json());
    expect(result.outcome).toBe('partial');
    expect(result.replicas.map((r) => r.status)).toEqual(['applied', 'pending']);

    replicas[1] = await startProxy(down.config);
    expect(replicas[1].adminUrl).toBe(down.adminUrl);
    // Back with an empty admin layer: the configured 80/20 until meshscope reconciles it.
    await until(
      'the returning replica to get 30/70',
      async () => (await split(replicas[1]!)).join() === '30,70',
      10_000,
      dash.output,
    );
    expect(await split(replicas[0]!)).toEqual(['30', '70']);
    await until('no drift in /api/routes', async () => {
      const r = await route(dash.base, routeId);
      return r?.drift === false && r.replicas.every((x) => x.drift === false);
    });
  });
});
