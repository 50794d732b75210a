// The controller's refusals, without a mesh: everything that must be answered before anything is
// written. The replicas' admin URLs point at a port nothing listens on and the durable location is a
// spy, so a request that got past the checks would show up as a write or an audit entry.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import type { SidecarScrape } from '../../../server/model/sidecar-data.ts';
import { AuditLog } from '../../../server/weights/audit-log.ts';
import type { DurableLookup } from '../../../server/weights/durable-runtime.ts';
import { managedVersion } from '../../../server/weights/route-weights.ts';
import { WeightsController } from '../../../server/weights/weights-controller.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';

const ROUTE_ID = 'default/frontend/listener_0/local_route/backend/0';
const cluster = (name: string, w: number) => ({
  name,
  configuredWeight: w,
  runtimeWeight: w,
  effectiveWeight: w,
  destination: null,
  observedShare: null,
});
const route = (over: Partial<WeightedRoute> = {}): WeightedRoute => ({
  id: ROUTE_ID,
  source: { namespace: 'default', workload: 'frontend' },
  replicas: [{ sidecarId: 'default/frontend/0', adminUrl: 'http://127.0.0.1:9' }],
  listener: 'listener_0',
  routeConfig: 'local_route',
  virtualHost: 'backend',
  routeName: null,
  match: 'prefix /',
  runtimeKeyPrefix: 'routing.traffic_split.backend',
  totalWeight: 100,
  clusters: [cluster('backend_v1', 80), cluster('backend_v2', 20)],
  version: 'base-v1',
  ...over,
});
const target: SidecarTarget = {
  id: 'default/frontend/0',
  namespace: 'default',
  workload: 'frontend',
  pod: undefined,
  kind: 'meshscope-proxy',
  admin: { baseUrl: 'http://127.0.0.1:9' },
  statsPath: '/stats/prometheus',
};
const scrape = (runtime: Record<string, string>, at: number): SidecarScrape => ({
  targetId: target.id,
  at,
  clusters: new Map(),
  istio: [],
  hosts: new Map(),
  routes: [],
  runtime: new Map(Object.entries(runtime)),
  downstream: undefined,
});

let dir: string;
let audit: AuditLog;
let routes: WeightedRoute[];
let scrapes: Map<string, SidecarScrape>;
let durableCalls: number;
let controller: WeightsController;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-controller-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  routes = [route()];
  scrapes = new Map();
  durableCalls = 0;
  controller = new WeightsController({
    routes: () => routes,
    sidecar: (id) => (id === target.id ? target : undefined),
    scrape: (id) => scrapes.get(id),
    audit,
    durable: async (): Promise<DurableLookup> => {
      durableCalls++;
      return { ok: false, reason: 'spy' };
    },
    timeoutMs: 200,
  });
});

afterEach(async () => {
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

const good = { weights: { backend_v1: 50, backend_v2: 50 } };

describe('refusals, before anything is written', () => {
  it('404 for an unknown route, 428 without If-Match, 409 with a stale one, 422 when the weights cannot be written', async () => {
    expect(await controller.change('default/nope/0', good, 'base-v1', 'local')).toMatchObject({
      ok: false,
      error: { status: 404 },
    });
    expect(await controller.change(ROUTE_ID, good, undefined, 'local')).toMatchObject({
      ok: false,
      error: { status: 428, code: 'precondition_required' },
    });
    expect(await controller.change(ROUTE_ID, good, '"old"', 'local')).toMatchObject({
      ok: false,
      error: { status: 409, code: 'version_conflict' },
    });
    // Static (no runtime prefix): its bootstrap must be known, here it is not (no targets `bootstrap`,
    // no /server_info answering).
    routes = [route({ runtimeKeyPrefix: null })];
    scrapes.set(target.id, {
      ...scrape({}, 1),
      routes: [
        {
          listener: 'listener_0',
          routeConfig: 'local_route',
          virtualHost: 'backend',
          routeIndex: 0,
          routeName: undefined,
          match: 'prefix /',
          runtimeKeyPrefix: undefined,
          totalWeight: undefined,
          clusters: [
            { name: 'backend_v1', weight: 80 },
            { name: 'backend_v2', weight: 20 },
          ],
        },
      ],
    });
    const r = await controller.change(ROUTE_ID, good, 'base-v1', 'local');
    expect(r).toMatchObject({ ok: false, error: { status: 422, code: 'bootstrap_unknown' } });
    expect(r.ok ? '' : r.error.message).toMatch(
      /its bootstrap file is unknown.*nothing|nothing.*bootstrap file is unknown/,
    );
    // Istio, without a Kubernetes connection to reach its VirtualServices.
    const istioTarget = { ...target, kind: 'istio-proxy' as const };
    const istio = new WeightsController({
      routes: () => routes,
      sidecar: () => istioTarget,
      scrape: (id) => scrapes.get(id),
      audit,
      timeoutMs: 200,
    });
    const i = await istio.change(ROUTE_ID, good, 'base-v1', 'local');
    expect(i).toMatchObject({ ok: false, error: { status: 422, code: 'strategy_not_implemented' } });
    expect(durableCalls).toBe(0);
    expect(existsSync(audit.path)).toBe(false); // not even created
  });

  it('validation comes before the version check: a bad body is a 400 even with a stale If-Match', async () => {
    const r = await controller.change(ROUTE_ID, { weights: { backend_v1: 1.5 } }, 'old', 'local');
    expect(r).toMatchObject({ ok: false, error: { status: 400, field: 'weights.backend_v1' } });
  });

  it('property: every invalid body gets a 400 and changes nothing', async () => {
    const invalid = fc.oneof(
      fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      fc
        .record({
          weights: fc.dictionary(
            fc.constantFrom('backend_v1', 'backend_v2', 'backend_v3', ''),
            fc.oneof(fc.double(), fc.integer({ min: -5, max: 2_000_000 }), fc.string(), fc.constant(null)),
          ),
        })
        .filter(({ weights }) => {
          const names = Object.keys(weights).sort().join();
          const values = Object.values(weights);
          const valid =
            names === 'backend_v1,backend_v2' &&
            values.every((v) => Number.isInteger(v) && (v as number) >= 0) &&
            values.reduce<number>((a, b) => a + (b as number), 0) === 100;
          return !valid;
        }),
      fc.record({ weights: fc.constant(good.weights), extra: fc.anything() }),
      fc.record({
        weights: fc.constant(good.weights),
        reason: fc.oneof(fc.integer(), fc.string({ minLength: 501 })),
      }),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (body) => {
        const r = await controller.change(ROUTE_ID, body, 'base-v1', 'local');
        expect(r.ok ? 200 : r.error.status).toBe(400);
      }),
      { numRuns: 300 },
    );
    expect(durableCalls).toBe(0);
    expect(existsSync(audit.path)).toBe(false); // not even created
    expect(controller.history(ROUTE_ID)).toEqual({ ok: true, value: { routeId: ROUTE_ID, entries: [] } });
  });

  it('revert: 404 for an entry of another route or none', async () => {
    await audit.append({
      id: 'e1',
      at: 1,
      who: 'local',
      routeId: 'default/other/0',
      from: { a: 1 },
      to: { a: 1 },
      outcome: 'applied',
    });
    for (const auditId of ['e1', 'nope']) {
      expect(await controller.revert(ROUTE_ID, { auditId }, 'base-v1', 'local')).toMatchObject({
        ok: false,
        error: { status: 404, field: 'auditId' },
      });
    }
  });
});

describe('a managed route as /api/routes shows it', () => {
  const entry = (id: string, at: number, to: Record<string, number>, outcome = 'applied' as const) => ({
    id,
    at,
    who: 'local',
    routeId: ROUTE_ID,
    from: { backend_v1: 80, backend_v2: 20 },
    to,
    outcome,
  });

  it('is unmanaged (base version, no drift) until a change takes effect', async () => {
    const [r] = controller.decorate(routes);
    expect(r).toMatchObject({ version: 'base-v1', allowedTotals: [100] });
    expect(r).not.toHaveProperty('desiredWeights');
    await audit.append({ ...entry('f1', 10, { backend_v1: 0, backend_v2: 100 }), outcome: 'failed' });
    expect(controller.decorate(routes)[0]!.version).toBe('base-v1');
  });

  it('takes the version of its last change, the desired weights and each replica’s drift', async () => {
    await audit.append(entry('c1', 1000, { backend_v1: 50, backend_v2: 50 }));
    const keys = (v1: string, v2: string) => ({
      'routing.traffic_split.backend.backend_v1': v1,
      'routing.traffic_split.backend.backend_v2': v2,
    });
    // Scraped before the change: unknown, neither drifting nor in line.
    scrapes.set(target.id, scrape(keys('80', '20'), 900));
    let [r] = controller.decorate(routes);
    expect(r!.version).toBe(managedVersion(route(), 'c1'));
    expect(r!.desiredWeights).toEqual({ backend_v1: 50, backend_v2: 50 });
    expect(r!.replicas[0]).not.toHaveProperty('drift');
    expect(r!.drift).toBe(false);

    scrapes.set(target.id, scrape(keys('80', '20'), 2000));
    [r] = controller.decorate(routes);
    expect(r!.replicas[0]!.drift).toBe(true);
    expect(r!.drift).toBe(true);

    scrapes.set(target.id, scrape(keys('50', ' 50\n'), 3000));
    [r] = controller.decorate(routes);
    expect(r!.replicas[0]!.drift).toBe(false);
    // Decorating what was decorated changes nothing (the dashboard's routes are read either way).
    expect(controller.decorate([r!])).toEqual([r]);
    // The runtime values moving does not move the version; a new change does.
    expect(r!.version).toBe(managedVersion(route({ version: 'other' }), 'c1'));
    await audit.append(entry('c2', 4000, { backend_v1: 50, backend_v2: 50 }));
    expect(controller.decorate(routes)[0]!.version).not.toBe(r!.version);
  });
});
