// The static strategy without a mesh: a bootstrap file on disk, sidecars that read it only at start
// (so nothing is confirmed over the network), and the failure paths that must leave the file as it was.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SidecarTarget } from '../../../server/model/inventory.ts';
import type { SidecarScrape, WeightedRouteConfig } from '../../../server/model/sidecar-data.ts';
import { AuditLog } from '../../../server/weights/audit-log.ts';
import { BootstrapFile } from '../../../server/weights/bootstrap-document.ts';
import { StaticStrategy } from '../../../server/weights/static-strategy.ts';
import type { WeightedRoute } from '../../../shared/api/routes.ts';

const TEXT = `static_resources:
  listeners:
  - name: listener_0
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          route_config:
            name: local_route
            virtual_hosts:
            - name: backend
              routes:
              - match: { prefix: /a }   # first split
                route:
                  weighted_clusters:
                    clusters:
                    - { name: a1, weight: 50 }
                    - { name: a2, weight: 50 }
              - match: { prefix: /b }   # second split
                route:
                  weighted_clusters:
                    clusters:
                    - { name: b1, weight: 50 }
                    - { name: b2, weight: 50 }
`;

const target: SidecarTarget = {
  id: 'default/web/0',
  namespace: 'default',
  workload: 'web',
  pod: undefined,
  kind: 'envoy',
  admin: { baseUrl: 'http://127.0.0.1:9' },
  statsPath: '/stats/prometheus',
};
const config = (index: number, names: [string, string]): WeightedRouteConfig => ({
  listener: 'listener_0',
  routeConfig: 'local_route',
  virtualHost: 'backend',
  routeIndex: index,
  routeName: undefined,
  match: '',
  runtimeKeyPrefix: undefined,
  totalWeight: undefined,
  clusters: names.map((name) => ({ name, weight: 50 })),
});
const scrape: SidecarScrape = {
  targetId: target.id,
  at: 1,
  clusters: new Map(),
  istio: [],
  hosts: new Map(),
  routes: [config(0, ['a1', 'a2']), config(1, ['b1', 'b2'])],
  runtime: new Map(),
  downstream: undefined,
};
const route = (index: number, names: [string, string]): WeightedRoute => ({
  id: `default/web/listener_0/local_route/backend/${index}`,
  source: { namespace: 'default', workload: 'web' },
  replicas: [{ sidecarId: target.id, adminUrl: target.admin.baseUrl }],
  listener: 'listener_0',
  routeConfig: 'local_route',
  virtualHost: 'backend',
  routeName: null,
  match: '',
  runtimeKeyPrefix: null,
  totalWeight: 100,
  clusters: names.map((name) => ({
    name,
    configuredWeight: 50,
    runtimeWeight: null,
    effectiveWeight: 50,
    destination: null,
    observedShare: null,
  })),
  version: 'v0',
});
const meta = { who: 'ops', reason: undefined, revertOf: undefined };

let dir: string;
let path: string;
let audit: AuditLog;

function strategy(over: { audit?: AuditLog } = {}) {
  return new StaticStrategy({
    sidecar: (id) => (id === target.id ? target : undefined),
    scrape: () => scrape,
    audit: over.audit ?? audit,
    bootstrap: async () => ({ ok: true, doc: new BootstrapFile(path), reload: 'restart' }),
    buildOf: async () => ({
      product: 'envoy',
      version: '0000000000000000000000000000000000000000/1.31.0/Clean/RELEASE/BoringSSL',
      hotReload: false,
      configPath: path,
    }),
    restartable: true,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'static-strategy-'));
  path = join(dir, 'envoy.yaml');
  await writeFile(path, TEXT);
  audit = await AuditLog.open(join(dir, 'audit.jsonl'));
});

afterEach(async () => {
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

describe('StaticStrategy', () => {
  it('writes two routes of one file changed at once, one after the other, and says Envoy needs a restart', async () => {
    const s = strategy();
    const [a, b] = await Promise.all([
      s.apply(route(0, ['a1', 'a2']), { a1: 10, a2: 90 }, meta),
      s.apply(route(1, ['b1', 'b2']), { b1: 30, b2: 70 }, meta),
    ]);
    expect(a).toMatchObject({
      ok: true,
      value: {
        strategy: 'static',
        outcome: 'partial',
        replicas: [{ status: 'pending', error: expect.stringMatching(/Envoy .* restart/) }],
        restartNeeded: { sidecars: [target.id], workloads: [{ namespace: 'default', name: 'web' }] },
        persisted: [{ kind: 'bootstrap-file', location: path }],
      },
    });
    expect(b.ok).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(
      TEXT.replace('{ name: a1, weight: 50 }', '{ name: a1, weight: 10 }')
        .replace('{ name: a2, weight: 50 }', '{ name: a2, weight: 90 }')
        .replace('{ name: b1, weight: 50 }', '{ name: b1, weight: 30 }')
        .replace('{ name: b2, weight: 50 }', '{ name: b2, weight: 70 }'),
    );
    expect(audit.history(route(0, ['a1', 'a2']).id)).toHaveLength(1);
    expect(audit.history(route(1, ['b1', 'b2']).id)).toHaveLength(1);
  });

  it('refuses a cluster the file does not have (409), writing nothing', async () => {
    const r = await strategy().apply(route(0, ['a1', 'a3']), { a1: 10, a3: 90 }, meta);
    expect(r).toMatchObject({ ok: false, error: { status: 409, code: 'bootstrap_mismatch' } });
    expect(await readFile(path, 'utf8')).toBe(TEXT);
    expect(audit.history(route(0, ['a1', 'a3']).id)).toEqual([]);
  });

  it('puts the file back when the change cannot be audited (500)', async () => {
    const failing = {
      append: async () => Promise.reject(new Error('disk full')),
      path: 'x',
    } as unknown as AuditLog;
    const r = await strategy({ audit: failing }).apply(route(0, ['a1', 'a2']), { a1: 0, a2: 100 }, meta);
    expect(r).toMatchObject({ ok: false, error: { status: 500, code: 'audit_failed' } });
    expect(await readFile(path, 'utf8')).toBe(TEXT);
  });

  it('keeps a hand edit made before the change: the file is read under the lock, just before the write', async () => {
    await writeFile(path, TEXT.replace('# first split', '# first split (edited)'));
    const r = await strategy().apply(route(0, ['a1', 'a2']), { a1: 20, a2: 80 }, meta);
    expect(r.ok).toBe(true);
    expect(await readFile(path, 'utf8')).toContain('# first split (edited)');
  });
});
