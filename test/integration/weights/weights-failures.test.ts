// What a change does when something fails after the checks, against stand-in admin servers (real
// HTTP on 127.0.0.1) whose answers the test chooses, and a durable location that records its writes:
// no error leaves anything changed, and every attempt is in the audit log.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import { AuditLog } from '../../../server/weights/audit-log.ts';
import type { DurableRuntime } from '../../../server/weights/durable-runtime.ts';
import { WeightsController } from '../../../server/weights/weights-controller.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';

const PREFIX = 'split';
const ROUTE_ID = 'default/web/l/rc/vh/0';

/** An admin API: /runtime_modify answered with `modifyStatus`, /runtime from the values it holds. */
class FakeAdmin {
  readonly modifies: Record<string, string>[] = [];
  modifyStatus = 200;
  /** When false, /runtime keeps showing the old values (a layer above the admin layer). */
  takesEffect = true;
  private values: Record<string, string> = { 'split.a': '80', 'split.b': '20' };
  readonly server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/runtime_modify') {
      const v = Object.fromEntries(url.searchParams);
      this.modifies.push(v);
      if (this.modifyStatus === 200 && this.takesEffect) this.values = { ...this.values, ...v };
      res.writeHead(this.modifyStatus).end(this.modifyStatus === 200 ? 'OK\n' : 'bad value\n');
    } else if (url.pathname === '/runtime') {
      const entries = Object.fromEntries(
        Object.entries(this.values).map(([k, v]) => [k, { final_value: v }]),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ entries, layers: [] }));
    } else res.writeHead(404).end();
  });
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

class RecordingStore implements DurableRuntime {
  readonly kind = 'runtime-dir' as const;
  readonly key = 'store';
  readonly location = '/fake/runtime';
  failWrite = false;
  values: Record<string, string | undefined> = { 'split.a': '80', 'split.b': '20' };
  async read(keys: readonly string[]) {
    return Object.fromEntries(keys.map((k) => [k, this.values[k]]));
  }
  async write(v: Readonly<Record<string, string>>) {
    if (this.failWrite) throw new Error('disk full');
    const previous = await this.read(Object.keys(v));
    this.values = { ...this.values, ...v };
    return previous;
  }
  async restore(previous: Readonly<Record<string, string | undefined>>) {
    this.values = { ...this.values, ...previous };
  }
}

let dir: string;
let audit: AuditLog;
let admins: FakeAdmin[];
let store: RecordingStore;
let controller: WeightsController;
let route: WeightedRoute;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weights-failures-'));
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
  admins = [new FakeAdmin(), new FakeAdmin()];
  const urls = await Promise.all(admins.map((a) => a.start()));
  const targets: SidecarTarget[] = urls.map((baseUrl, i) => ({
    id: `default/web/${i}`,
    namespace: 'default',
    workload: 'web',
    pod: undefined,
    kind: 'envoy',
    admin: { baseUrl },
    statsPath: '/stats/prometheus',
  }));
  route = {
    id: ROUTE_ID,
    source: { namespace: 'default', workload: 'web' },
    replicas: targets.map((t) => ({ sidecarId: t.id, adminUrl: t.admin.baseUrl })),
    listener: 'l',
    routeConfig: 'rc',
    virtualHost: 'vh',
    routeName: null,
    match: 'prefix /',
    runtimeKeyPrefix: PREFIX,
    totalWeight: 100,
    clusters: ['a', 'b'].map((name, i) => ({
      name,
      configuredWeight: [80, 20][i]!,
      runtimeWeight: null,
      effectiveWeight: [80, 20][i]!,
      destination: null,
      observedShare: null,
    })),
    version: 'v0',
  };
  store = new RecordingStore();
  controller = new WeightsController({
    routes: () => [route],
    sidecar: (id) => targets.find((t) => t.id === id),
    scrape: () => undefined,
    audit,
    durable: async () => ({ ok: true, store }),
    timeoutMs: 1000,
    confirmMs: 100,
  });
});

afterEach(async () => {
  for (const a of admins) a.server.close();
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

const change = () => controller.change(ROUTE_ID, { weights: { a: 50, b: 50 } }, 'v0', 'tester');
const unchanged = () => {
  expect(store.values).toEqual({ 'split.a': '80', 'split.b': '20' });
  expect(controller.decorate([route])[0]!.version).toBe('v0');
  expect(audit.desired(ROUTE_ID)).toBeUndefined();
};

describe('failures after the checks', () => {
  it('every replica refuses: 502, the durable location restored, a failed entry in the audit log', async () => {
    for (const a of admins) a.modifyStatus = 400;
    const r = await change();
    expect(r).toMatchObject({ ok: false, error: { status: 502, code: 'apply_failed' } });
    expect(r.ok ? '' : r.error.message).toMatch(/bad value/);
    unchanged();
    expect(audit.history(ROUTE_ID).map((e) => [e.who, e.outcome])).toEqual([['tester', 'failed']]);
  });

  it('one replica refuses: the change stands as partial, and that replica says why', async () => {
    admins[1]!.modifyStatus = 400;
    const r = await change();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.outcome).toBe('partial');
    expect(r.value.replicas.map((x) => x.status)).toEqual(['applied', 'failed']);
    expect(r.value.replicas[1]!.error).toMatch(/HTTP 400: bad value/);
    expect(audit.desired(ROUTE_ID)?.to).toEqual({ a: 50, b: 50 });
  });

  it('a value that does not show in /runtime (a higher layer overrides) is a failure, not a success', async () => {
    for (const a of admins) a.takesEffect = false;
    const r = await change();
    expect(r).toMatchObject({ ok: false, error: { status: 502 } });
    expect(r.ok ? '' : r.error.message).toMatch(/does not show the new values/);
    unchanged();
  });

  it('the durable write fails: 500, and the replicas get the previous weights back', async () => {
    store.failWrite = true;
    const r = await change();
    expect(r).toMatchObject({ ok: false, error: { status: 500, code: 'persist_failed' } });
    expect(r.ok ? '' : r.error.message).toMatch(/disk full/);
    for (const a of admins) {
      expect(a.modifies).toEqual([
        { 'split.a': '50', 'split.b': '50' },
        { 'split.a': '80', 'split.b': '20' },
      ]);
    }
    expect(audit.desired(ROUTE_ID)).toBeUndefined();
  });

  it('the audit append fails: 500, the durable location and the replicas put back', async () => {
    await audit.close();
    const r = await change();
    expect(r).toMatchObject({ ok: false, error: { status: 500, code: 'audit_failed' } });
    unchanged();
    for (const a of admins) expect(a.modifies.at(-1)).toEqual({ 'split.a': '80', 'split.b': '20' });
  });

  it('an unreachable replica is pending; the change stands and is recorded as partial', async () => {
    await new Promise((r) => admins[0]!.server.close(r));
    const r = await change();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.replicas.map((x) => x.status)).toEqual(['pending', 'applied']);
    expect(r.value.outcome).toBe('partial');
    expect(store.values).toEqual({ 'split.a': '50', 'split.b': '50' });
  });
});
