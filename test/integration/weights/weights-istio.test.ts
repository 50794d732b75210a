// The Istio strategy on the simulated cluster: an istio-proxy sidecar whose route carries istiod's
// `filter_metadata.istio.config` (the VirtualService it was generated from) and Istio's cluster names
// (`outbound|9080|v1|reviews.default.svc.cluster.local`). A weight change patches the VirtualService's
// `http[].route[].weight` (resourceVersion-guarded, the history annotation in the same patch), adds
// the DestinationRule subset that was missing (labels version: v2, as Kiali's wizard does), records an
// Event, and leaves the sidecar to istiod (no istiod here: the replica stays `pending`).

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightChangeResultSchema } from '../../../shared/api/weights.ts';
import { stopAll } from '../../support/processes.ts';
import { POD_ADMIN_PORT, SimulatedCluster } from '../../support/simulated-cluster.ts';
import {
  type Dashboard,
  putWeights,
  route,
  routes,
  startInClusterDashboard,
  until,
} from './weights-harness.ts';

/** Writes need a bearer token: the one given with --token-file. */
const TOKEN = 'weights-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const putWeightsAuth = (base: string, id: string, body: unknown, version: string | undefined) =>
  putWeights(base, id, body, version, AUTH);

const V1 = 'outbound|9080|v1|reviews.default.svc.cluster.local';
const V2 = 'outbound|9080|v2|reviews.default.svc.cluster.local';
const VS_PATH = '/apis/networking.istio.io/v1alpha3/namespaces/default/virtual-service/reviews';
let cluster: SimulatedCluster;
let dash: Dashboard;
let dir = '';
let routeId = '';
let admin: http.Server | undefined;

/**
 * productpage's istio-proxy admin as istiod's push leaves it (RDS route `9080` generated from
 * VirtualService reviews, 80/20), served by a stand-in on the pod IP: meshscope-proxy does not take
 * route `metadata` in a bootstrap, and the dashboard only reads these admin documents.
 */
function istioConfigDump(weights: [number, number]) {
  return {
    configs: [
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamic_listeners: [
          {
            name: '0.0.0.0_9080',
            active_state: {
              listener: {
                name: '0.0.0.0_9080',
                filter_chains: [
                  {
                    filters: [
                      {
                        name: 'envoy.filters.network.http_connection_manager',
                        typed_config: {
                          '@type':
                            'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                          rds: { route_config_name: '9080' },
                        },
                      },
                    ],
                  },
                ],
              },
            },
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
        dynamic_route_configs: [
          {
            version_info: '2026-11-22T04:00:00Z/12',
            route_config: {
              '@type': 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
              name: '9080',
              virtual_hosts: [
                {
                  name: 'reviews.default.svc.cluster.local:9080',
                  domains: ['reviews.default.svc.cluster.local', 'reviews'],
                  routes: [
                    {
                      match: { prefix: '/' },
                      metadata: { filter_metadata: { istio: { config: VS_PATH } } },
                      route: {
                        weighted_clusters: {
                          clusters: [
                            { name: V1, weight: weights[0] },
                            { name: V2, weight: weights[1] },
                          ],
                          total_weight: 100,
                        },
                      },
                    },
                  ],
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

async function standInIstioAdmin(ip: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (x: unknown) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(x));
    };
    if (path === '/stats/prometheus') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(`envoy_cluster_upstream_rq_total{envoy_cluster_name="${V1}"} 0\n`);
    } else if (path === '/clusters') json({ cluster_statuses: [] });
    else if (path === '/config_dump') json(istioConfigDump([80, 20]));
    else if (path === '/runtime') json({ layers: [], entries: {} });
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(POD_ADMIN_PORT, ip, () => r()));
  return server;
}

beforeAll(async () => {
  cluster = await SimulatedCluster.start();
  cluster.api.apply({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: {
      hosts: ['reviews'],
      http: [
        {
          name: 'canary',
          match: [{ headers: { 'end-user': { exact: 'jason' } } }],
          route: [{ destination: { host: 'reviews', subset: 'v2' } }],
        },
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
            { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
          ],
        },
      ],
    },
  });
  // Only v1 has a subset: v2 is what a hand-written VirtualService often forgets (503 NC).
  cluster.api.apply({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: 'default' },
    spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  });
  // The pod: app and istio-proxy containers, Istio's Prometheus annotations; its admin is the stand-in.
  const pod = await cluster.addPod({
    deployment: 'productpage',
    labels: { app: 'productpage', version: 'v1' },
    sidecar: false,
  });
  admin = await standInIstioAdmin(pod.ip);
  const obj = cluster.api.get('Pod', 'default', pod.name)!;
  const spec = obj['spec'] as { containers: object[] };
  cluster.api.apply({
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(POD_ADMIN_PORT),
        'prometheus.io/path': '/stats/prometheus',
      },
    },
    spec: {
      ...spec,
      containers: [...spec.containers, { name: 'istio-proxy', image: 'istio/proxyv2:1.24.0' }],
    },
  });
  await cluster.settled();
  dir = mkdtempSync(join(tmpdir(), 'meshscope-weights-istio-'));
  dash = await startInClusterDashboard(cluster, dir, { token: TOKEN });
  const found = await until(
    'the productpage route',
    async () => (await routes(dash.base)).find((r) => r.source.workload === 'productpage'),
    20_000,
    dash.output,
  );
  routeId = found.id;
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await new Promise((r) => (admin ? admin.close(r) : r(undefined)));
  await cluster?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Spec = { http: { name?: string; route: { destination: { subset: string }; weight?: number }[] }[] };

describe('weights of an Istio route (VirtualService)', () => {
  it('shows the route as istio and patches the VirtualService, adding the missing subset', async () => {
    const r = (await route(dash.base, routeId))!;
    expect(r.strategy).toBe('istio');
    const before = cluster.api.requests.length;
    const res = await putWeightsAuth(
      dash.base,
      routeId,
      { weights: { [V1]: 50, [V2]: 50 }, reason: 'canary' },
      r.version,
    );
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const result = WeightChangeResultSchema.parse(body);
    expect(result).toMatchObject({
      strategy: 'istio',
      outcome: 'applied',
      from: { [V1]: 80, [V2]: 20 },
      to: { [V1]: 50, [V2]: 50 },
      persisted: [{ kind: 'virtualservice', location: 'virtualservice default/reviews' }],
      replicas: [{ status: 'pending', error: expect.stringMatching(/istiod/) }],
      warnings: ['added subsets to DestinationRule default/reviews'],
    });
    const vs = cluster.api.get('VirtualService', 'default', 'reviews')!;
    const spec = vs['spec'] as Spec;
    // The header-matched route is untouched; the weighted one has the new weights.
    expect(spec.http[0]).toEqual({
      name: 'canary',
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      route: [{ destination: { host: 'reviews', subset: 'v2' } }],
    });
    expect(spec.http[1]!.route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
    const history = JSON.parse(vs.metadata.annotations?.['meshscope.io/weights-history'] ?? '[]') as {
      id: string;
    }[];
    expect(history.map((e) => e.id)).toEqual([result.auditId]);
    const dr = cluster.api.get('DestinationRule', 'default', 'reviews')!;
    expect((dr['spec'] as { subsets: unknown[] }).subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    const writes = cluster.api.requests.slice(before).filter((q) => q.method !== 'GET');
    expect(writes.map((q) => `${q.method} ${q.url.split('?')[0]}`)).toEqual([
      'PATCH /apis/networking.istio.io/v1beta1/namespaces/default/destinationrules/reviews',
      'PATCH /apis/networking.istio.io/v1beta1/namespaces/default/virtualservices/reviews',
      'POST /api/v1/namespaces/default/events',
    ]);
    const event = cluster.api.store
      .list('events', 'default')
      .find((e) => String(e['message']).includes(result.auditId));
    expect(event).toMatchObject({
      reason: 'WeightsChanged',
      involvedObject: { kind: 'Deployment', name: 'productpage' },
    });
  });

  it('creates the DestinationRule, named after the service, when none holds the subsets', async () => {
    cluster.api.remove('DestinationRule', 'default', 'reviews');
    // istiod has not pushed the first change here, yet the route's version is the one it answered.
    const r = (await route(dash.base, routeId))!;
    const res = await putWeightsAuth(dash.base, routeId, { weights: { [V1]: 10, [V2]: 90 } }, r.version);
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const result = WeightChangeResultSchema.parse(body);
    expect(result).toMatchObject({
      from: { [V1]: 50, [V2]: 50 },
      warnings: ['created DestinationRule default/reviews with subsets v1, v2'],
    });
    const dr = cluster.api.get('DestinationRule', 'default', 'reviews')!;
    expect(dr['spec']).toEqual({
      host: 'reviews.default.svc.cluster.local',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    expect(dr.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshscope' });
    const vs = cluster.api.get('VirtualService', 'default', 'reviews')!;
    const history = JSON.parse(
      vs.metadata.annotations?.['meshscope.io/weights-history'] ?? '[]',
    ) as unknown[];
    expect(history).toHaveLength(2);
  });

  it('refuses weights the VirtualService has no route for, changing nothing', async () => {
    const r = (await route(dash.base, routeId))!;
    const vsBefore = JSON.stringify(cluster.api.get('VirtualService', 'default', 'reviews')!['spec']);
    const res = await putWeightsAuth(
      dash.base,
      routeId,
      { weights: { [V1]: 100, [V2]: 0, other: 0 } },
      r.version,
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(cluster.api.get('VirtualService', 'default', 'reviews')!['spec'])).toBe(vsBefore);
  });
});
