// The demo's generated files, read back by the code that consumes them for real: each sidecar bootstrap
// by the proxy's own bootstrap loader and router, the targets file by the dashboard's schema, the hosts
// file by the proxy's resolver.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseBootstrap } from '../../../proxy/config/load-bootstrap.ts';
import type { Bootstrap, HttpFilter } from '../../../proxy/config/model.ts';
import { buildRouteTable } from '../../../proxy/router/route-table.ts';
import { parseHostsFile } from '../../../proxy/upstream/hosts-file.ts';
import { troubleFor } from '../../../server/demo/app-trouble.ts';
import { demoHostsFile, demoTargetsFile } from '../../../server/demo/demo-targets.ts';
import {
  DEFAULT_PORTS,
  demoServices,
  demoTopology,
  workloadNamed,
} from '../../../server/demo/demo-topology.ts';
import { runtimeWeights, sidecarBootstrap } from '../../../server/demo/sidecar-bootstrap.ts';
import { targetsToInventory } from '../../../server/sources/targets-file/targets-to-inventory.ts';

const mesh = demoTopology({ baseAddress: '127.0.0.', firstHost: 10, ports: DEFAULT_PORTS });
const services = demoServices(mesh);

function bootstrapOf(name: string): Bootstrap {
  const w = workloadNamed(mesh, name);
  return parseBootstrap(
    stringify(sidecarBootstrap(w, mesh, { runtimeRoot: `/work/runtime/${name}/current` })),
  );
}

describe('demoTopology', () => {
  it('gives each workload its own consecutive loopback address', () => {
    expect(mesh.map((w) => `${w.ip} ${w.namespace}/${w.name}`)).toEqual([
      '127.0.0.10 default/frontend',
      '127.0.0.11 default/backend-v1',
      '127.0.0.12 default/backend-v2',
      '127.0.0.13 bookinfo/productpage-v1',
      '127.0.0.14 bookinfo/details-v1',
      '127.0.0.15 bookinfo/ratings-v1',
      '127.0.0.16 bookinfo/reviews-v1',
      '127.0.0.17 bookinfo/reviews-v2',
      '127.0.0.18 bookinfo/reviews-v3',
      '127.0.0.19 bookinfo/details-v2',
    ]);
  });

  it('refuses addresses off loopback or past the /24', () => {
    expect(() => demoTopology({ baseAddress: '10.0.0.', firstHost: 10, ports: DEFAULT_PORTS })).toThrow(
      /loopback/,
    );
    expect(() => demoTopology({ baseAddress: '127.0.0.', firstHost: 250, ports: DEFAULT_PORTS })).toThrow(
      RangeError,
    );
  });
});

describe('sidecarBootstrap', () => {
  it('every sidecar loads in the proxy, with admin and inbound on its own IP', () => {
    for (const w of mesh) {
      const b = bootstrapOf(w.name);
      expect(b.admin?.address).toMatchObject({ address: w.ip, port: 9901 });
      const inbound = b.listeners.find((l) => l.name === 'virtualInbound')!;
      expect(inbound.address).toMatchObject({ address: w.ip, port: 15006 });
      const local = b.clusters.find((c) => c.name === `inbound|${w.appPort}||`)!;
      expect(local.endpoints).toMatchObject([{ address: w.ip, port: w.appPort }]);
      expect(b.layeredRuntime.map((l) => l.kind)).toEqual(['static', 'disk', 'admin']);
    }
  });

  it('the frontend is the seed lab: listener_0 on 10000, 80/20 over STRICT_DNS clusters, runtime keys', () => {
    const b = bootstrapOf('frontend');
    const lab = b.listeners.find((l) => l.name === 'listener_0')!;
    expect(lab.address).toMatchObject({ address: '127.0.0.10', port: 10000 });
    expect(lab.hcm.statPrefix).toBe('ingress_http');
    const action = lab.hcm.routeConfig.virtualHosts[0]!.routes[0]!.action;
    expect(action).toMatchObject({
      weightedClusters: {
        runtimeKeyPrefix: 'routing.traffic_split.backend',
        clusters: [
          { name: 'backend_v1', weight: 80 },
          { name: 'backend_v2', weight: 20 },
        ],
      },
    });
    const v2 = b.clusters.find((c) => c.name === 'backend_v2')!;
    expect(v2.type).toBe('STRICT_DNS');
    expect(v2.connectTimeoutMs).toBe(250);
    expect(v2.endpoints).toMatchObject([{ address: 'backend-v2.default.svc.cluster.local', port: 15006 }]);
    expect(b.layeredRuntime[1]).toMatchObject({
      kind: 'disk',
      symlinkRoot: '/work/runtime/frontend/current',
      subdirectory: 'envoy',
    });
    expect(runtimeWeights(workloadNamed(mesh, 'frontend'))).toEqual({
      'routing.traffic_split.backend.backend_v1': '80',
      'routing.traffic_split.backend.backend_v2': '20',
    });
  });

  it('productpage routes by Host to details and to reviews 50/30/20, at the callees’ inbound listeners', () => {
    const b = bootstrapOf('productpage-v1');
    const out = b.listeners.find((l) => l.name === 'virtualOutbound')!;
    expect(out.address).toMatchObject({ address: '127.0.0.13', port: 15001 });
    const table = buildRouteTable(out.hcm.routeConfig);
    const actionFor = (host: string) => table.selectVirtualHost(host)?.routes[0]?.action;
    expect(actionFor('details:9080')).toMatchObject({ cluster: 'details' });
    expect(actionFor('details.bookinfo.svc.cluster.local')).toMatchObject({ cluster: 'details' });
    expect(actionFor('reviews:9080')).toMatchObject({
      weightedClusters: {
        runtimeKeyPrefix: 'routing.traffic_split.reviews',
        clusters: [
          { name: 'reviews_v1', weight: 50 },
          { name: 'reviews_v2', weight: 30 },
          { name: 'reviews_v3', weight: 20 },
        ],
      },
    });
    expect(actionFor('ratings:9080')).toBeUndefined();
    const v3 = b.clusters.find((c) => c.name === 'reviews_v3')!;
    expect(v3.type).toBe('STATIC');
    expect(v3.endpoints).toMatchObject([{ address: '127.0.0.18', port: 15006 }]);
  });

  it('only reviews v2 and v3 have a way to ratings', () => {
    expect(bootstrapOf('reviews-v1').listeners.map((l) => l.name)).toEqual(['virtualInbound']);
    for (const name of ['reviews-v2', 'reviews-v3']) {
      const ratings = bootstrapOf(name).clusters.find((c) => c.name === 'ratings')!;
      expect(ratings.endpoints).toMatchObject([{ address: '127.0.0.15', port: 15006 }]);
    }
  });
});

describe('the labs’ traffic policies in the bootstraps', () => {
  it('reviews v2 and v3 call ratings through the lab’s one-connection, one-pending breaker', () => {
    for (const name of ['reviews-v2', 'reviews-v3']) {
      const ratings = bootstrapOf(name).clusters.find((c) => c.name === 'ratings')!;
      expect(ratings.circuitBreakers?.thresholds).toMatchObject([
        { priority: 'DEFAULT', maxConnections: 1, maxPendingRequests: 1 },
      ]);
    }
  });

  it('productpage retries reviews on 5xx twice within 3 s, ejects a failing reviews v2, hashes details on x-user and mirrors half of it to details v2', () => {
    const b = bootstrapOf('productpage-v1');
    const table = buildRouteTable(b.listeners.find((l) => l.name === 'virtualOutbound')!.hcm.routeConfig);
    const reviews = table.selectVirtualHost('reviews:9080')!.routes[0]!.action;
    expect(reviews).toMatchObject({ timeoutMs: 3000, retryPolicy: { retryOn: ['5xx'], numRetries: 2 } });
    expect(b.clusters.find((c) => c.name === 'reviews_v2')!.outlierDetection).toMatchObject({
      consecutive5xx: 5,
    });
    expect(b.clusters.find((c) => c.name === 'reviews_v1')!.outlierDetection).toBeUndefined();
    const details = table.selectVirtualHost('details:9080')!.routes[0]!.action;
    expect(details).toMatchObject({
      cluster: 'details',
      hashPolicy: [{ kind: 'header', headerName: 'x-user' }],
      requestMirrorPolicies: [
        { cluster: 'details_v2', runtimeFraction: { numerator: 50, denominator: 100 } },
      ],
    });
    expect(b.clusters.find((c) => c.name === 'details')!.lbPolicy).toBe('RING_HASH');
    const shadow = b.clusters.find((c) => c.name === 'details_v2')!;
    expect(shadow.endpoints).toMatchObject([{ address: '127.0.0.19', port: 15006 }]);
  });

  it('productpage’s inbound listener delays jason’s requests by 1 s, before the router', () => {
    const inbound = bootstrapOf('productpage-v1').listeners.find((l) => l.name === 'virtualInbound')!;
    expect(inbound.hcm.httpFilters.map((f) => f.name)).toEqual([
      'envoy.filters.http.fault',
      'envoy.filters.http.router',
    ]);
    const fault = inbound.hcm.httpFilters[0] as Extract<HttpFilter, { name: 'envoy.filters.http.fault' }>;
    expect(fault.fault).toMatchObject({ delay: { fixedDelayMs: 1000 } });
    expect(JSON.stringify(fault.fault)).toContain('jason');
  });

  it('leaves the seed lab plain: no policy on the frontend’s route or clusters', () => {
    const b = bootstrapOf('frontend');
    const action = b.listeners.find((l) => l.name === 'listener_0')!.hcm.routeConfig.virtualHosts[0]!
      .routes[0]!.action;
    expect(action).not.toHaveProperty('retryPolicy');
    expect(action).not.toHaveProperty('requestMirrorPolicies');
    expect(action).not.toHaveProperty('hashPolicy');
    for (const c of b.clusters) expect(c.circuitBreakers, c.name).toBeUndefined();
  });

  it('with policies off, every sidecar runs plain routes and clusters and no app misbehaves', () => {
    const plain = demoTopology({
      baseAddress: '127.0.0.',
      firstHost: 10,
      ports: DEFAULT_PORTS,
      policies: false,
    });
    expect(plain.map((w) => w.name)).toEqual(mesh.map((w) => w.name));
    for (const w of plain) {
      expect(w.trouble, w.name).toBeUndefined();
      expect(w.inboundFault, w.name).toBeUndefined();
      const doc = JSON.stringify(sidecarBootstrap(w, plain, { runtimeRoot: '/r' }));
      for (const field of [
        'circuit_breakers',
        'outlier_detection',
        'retry_policy',
        'request_mirror_policies',
        'envoy.filters.http.fault',
        'hash_policy',
        'RING_HASH',
      ]) {
        expect(doc, `${w.name} ${field}`).not.toContain(field);
      }
    }
    expect(workloadNamed(mesh, 'ratings-v1').trouble).toEqual({ slowEvery: 10, slowMs: 400 });
    expect(workloadNamed(mesh, 'reviews-v2').trouble).toEqual({ failEvery: 20 });
  });
});

describe('troubleFor', () => {
  it('fails every n-th request and slows every m-th, by count', () => {
    const t = { failEvery: 4, slowEvery: 3, slowMs: 200 };
    expect([1, 2, 3, 4, 5, 6, 12].map((n) => troubleFor(n, t))).toEqual([
      undefined,
      undefined,
      { kind: 'slow', ms: 200 },
      { kind: 'fail' },
      undefined,
      { kind: 'slow', ms: 200 },
      { kind: 'fail' },
    ]);
    expect(troubleFor(7, undefined)).toBeUndefined();
    expect(troubleFor(3, { slowEvery: 3 })).toBeUndefined();
    expect(troubleFor(5, { failEvery: 0 })).toBeUndefined();
  });
});

describe('the targets and hosts files', () => {
  it('list every workload with its address and admin URL, and the Services with their endpoints', () => {
    const inventory = targetsToInventory(demoTargetsFile(mesh, services));
    expect(inventory.sidecars.map((s) => `${s.id} ${s.kind} ${s.admin.baseUrl}`)).toContain(
      'bookinfo/reviews-v2/0 meshscope-proxy http://127.0.0.17:9901',
    );
    expect(inventory.workloads.find((w) => w.name === 'backend-v2')).toMatchObject({
      app: 'backend',
      version: 'v2',
      addresses: ['127.0.0.12'],
      hasSidecar: true,
    });
    expect(inventory.services.map((s) => `${s.namespace}/${s.name}`).sort()).toEqual([
      'bookinfo/details',
      'bookinfo/productpage',
      'bookinfo/ratings',
      'bookinfo/reviews',
      'default/backend',
      'default/backend-v1',
      'default/backend-v2',
    ]);
    expect(inventory.services.find((s) => s.name === 'reviews')?.endpointIps).toEqual([
      '127.0.0.16',
      '127.0.0.17',
      '127.0.0.18',
    ]);
  });

  it('resolve the lab’s Service names to the backends’ addresses', () => {
    const hosts = parseHostsFile(demoHostsFile(mesh, services));
    expect(hosts.get('backend-v1.default.svc.cluster.local')).toEqual(['127.0.0.11']);
    expect(hosts.get('backend-v2.default.svc.cluster.local')).toEqual(['127.0.0.12']);
    expect(hosts.get('backend.default.svc.cluster.local')).toEqual(['127.0.0.11', '127.0.0.12']);
    expect(hosts.get('ratings')).toEqual(['127.0.0.15']);
  });
});
