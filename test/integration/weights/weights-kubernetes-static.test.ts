// The static strategy in Kubernetes mode on the simulated cluster. Each sidecar runs from its
// ConfigMap as the seed lab's pod does (`-c /etc/envoy/envoy.yaml` over a ConfigMap volume): the
// dashboard finds the ConfigMap from the pod spec, rewrites only the weights in its `envoy.yaml` with
// a resourceVersion-guarded merge patch, appends the change to the ConfigMap's bounded history
// annotation and records an Event on the Deployment. The kubelet projects the new text into the pod
// and meshscope-proxy reloads it; a sidecar that does not reload (like Envoy) gets a rollout restart
// through the API; a route is converted to runtime weights in its ConfigMap.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { BootstrapConfigMap } from '../../../server/weights/bootstrap-configmap-document.ts';
import { ConflictError } from '../../../server/weights/bootstrap-document.ts';
import {
  ConvertToRuntimeResultSchema,
  type WeightChangeResult,
  WeightChangeResultSchema,
  WorkloadRestartResultSchema,
} from '../../../shared/api/weights.ts';
import { type BackendProcess, freePort, startBackend, stopAll } from '../../support/processes.ts';
import { allocatePodIp, POD_ADMIN_PORT, SimulatedCluster } from '../../support/simulated-cluster.ts';
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

const HISTORY = 'meshscope.io/weights-history';
let cluster: SimulatedCluster;
let v1: BackendProcess;
let v2: BackendProcess;
let dash: Dashboard;
let dir = '';
const texts: Record<string, string> = {};
const routeOf = (workload: string) => `default/${workload}/listener_0/local_route/backend/0`;

/** A sidecar bootstrap as a user keeps it in a ConfigMap: comments, the lab's layout, pod IP bound. */
async function bootstrapText(ip: string): Promise<string> {
  const listener = await freePort();
  return `# egress sidecar: 80/20 canary (edited by hand, and by meshscope)
static_resources:
  listeners:
  - name: listener_0
    address:
      socket_address: { address: ${ip}, port_value: ${listener} }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: egress_http
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
          route_config:
            name: local_route
            virtual_hosts:
            - name: backend
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route:
                  weighted_clusters:
                    clusters:
                    - name: backend_v1
                      weight: 80   # stable
                    - name: backend_v2
                      weight: 20   # canary
  clusters:
  - name: backend_v1
    type: STATIC
    load_assignment:
      cluster_name: backend_v1
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${v1.port} } } } }] }]
  - name: backend_v2
    type: STATIC
    load_assignment:
      cluster_name: backend_v2
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${v2.port} } } } }] }]
layered_runtime:
  layers:
  - name: admin
    admin_layer: {}
admin:
  address:
    socket_address: { address: ${ip}, port_value: ${POD_ADMIN_PORT} }
`;
}

/** One pod of a Deployment whose sidecar runs from ConfigMap `<deployment>-envoy`. */
async function addSidecarPod(
  deployment: string,
  container: 'meshscope-proxy' | 'envoy',
  extra: string[] = [],
) {
  const ip = await allocatePodIp();
  const text = await bootstrapText(ip);
  texts[deployment] = text;
  cluster.applyConfigMap('default', `${deployment}-envoy`, { 'envoy.yaml': text });
  await cluster.settled();
  return cluster.addPod({
    deployment,
    ip,
    labels: { app: deployment, version: 'v1' },
    sidecar: container,
    configMapVolumes: { 'envoy-config': `${deployment}-envoy` },
    bootstrap: () => YAML.parse(text) as object,
    sidecarArgs: (mounts) => ['-c', join(mounts['envoy-config']!, 'envoy.yaml'), ...extra],
  });
}

beforeAll(async () => {
  cluster = await SimulatedCluster.start();
  v1 = await startBackend({ name: 'v1' });
  v2 = await startBackend({ name: 'v2' });
  await addSidecarPod('web', 'meshscope-proxy');
  // Like Envoy: reads its bootstrap once.
  await addSidecarPod('legacy', 'envoy', ['--no-watch']);
  await cluster.settled();
  dir = mkdtempSync(join(tmpdir(), 'meshscope-weights-k8s-static-'));
  dash = await startInClusterDashboard(cluster, dir, { token: TOKEN });
  await until(
    'both routes',
    async () => {
      const all = await routes(dash.base);
      return all.some((r) => r.id === routeOf('web')) && all.some((r) => r.id === routeOf('legacy'));
    },
    20_000,
    dash.output,
  );
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await cluster?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const envoyYaml = (deployment: string): string | undefined => {
  const data = cluster.api.get('ConfigMap', 'default', `${deployment}-envoy`)?.['data'];
  return (data as Record<string, string> | undefined)?.['envoy.yaml'];
};
const annotations = (kind: string, name: string): Record<string, string> =>
  (cluster.api.get(kind, 'default', name)?.metadata.annotations as Record<string, string> | undefined) ?? {};

async function change(workload: string, weights: Record<string, number>): Promise<WeightChangeResult> {
  const r = (await route(dash.base, routeOf(workload)))!;
  const res = await putWeightsAuth(dash.base, r.id, { weights, reason: 'canary step' }, r.version);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return WeightChangeResultSchema.parse(body);
}

describe('static weights in a ConfigMap-mounted bootstrap', () => {
  it('patches only the weights in the ConfigMap, guarded by its resourceVersion; the pod reloads it', async () => {
    // Twenty earlier changes in the history already: the new one pushes the oldest out.
    const old = Array.from({ length: 20 }, (_, i) => ({ id: `old-${i}` }));
    const cm = cluster.api.get('ConfigMap', 'default', 'web-envoy')!;
    cluster.api.apply({
      ...cm,
      metadata: { ...cm.metadata, annotations: { [HISTORY]: JSON.stringify(old) } },
    });
    const before = cluster.api.requests.length;
    const result = await change('web', { backend_v1: 50, backend_v2: 50 });
    expect(result).toMatchObject({
      strategy: 'static',
      persisted: [{ kind: 'configmap', location: 'configmap default/web-envoy key envoy.yaml' }],
      replicas: [{ status: 'pending', error: expect.stringMatching(/kubelet/) }],
    });
    expect(envoyYaml('web')).toBe(
      texts['web']!.replace('weight: 80   # stable', 'weight: 50   # stable').replace(
        'weight: 20   # canary',
        'weight: 50   # canary',
      ),
    );
    const patches = cluster.api.requests
      .slice(before)
      .filter(
        (r) => r.method === 'PATCH' && r.url.startsWith('/api/v1/namespaces/default/configmaps/web-envoy'),
      );
    expect(patches.map((p) => p.headers['content-type'])).toEqual([
      'application/merge-patch+json',
      'application/merge-patch+json',
    ]);
    // The history annotation: bounded at 20, the new entry last.
    const history = JSON.parse(annotations('ConfigMap', 'web-envoy')[HISTORY]!) as { id: string }[];
    expect(history).toHaveLength(20);
    expect(history[0]!.id).toBe('old-1');
    expect(history[19]).toMatchObject({
      id: result.auditId,
      to: { backend_v1: 50, backend_v2: 50 },
      outcome: 'partial',
    });
    // The Event on the Deployment.
    const events = cluster.api.store.list('events', 'default');
    expect(events.find((e) => (e['message'] as string).includes(result.auditId))).toMatchObject({
      reason: 'WeightsChanged',
      type: 'Normal',
      involvedObject: { kind: 'Deployment', name: 'web', namespace: 'default' },
      source: { component: 'meshscope' },
    });
    // The kubelet projects the ConfigMap, the proxy reloads: the routes API shows the new weights.
    await cluster.settled();
    await until('web to serve 50/50', async () => {
      const r = await route(dash.base, routeOf('web'));
      return r?.clusters.every((c) => c.configuredWeight === 50);
    });
  });

  it('never overwrites a ConfigMap edited since it was read: the patch carries its resourceVersion', async () => {
    const doc = new BootstrapConfigMap(
      cluster.kubeConfig().makeApiClient(CoreV1Api),
      'default',
      'web-envoy',
      'envoy.yaml',
    );
    const read = await doc.read();
    expect(read.text).toBe(envoyYaml('web'));
    cluster.applyConfigMap('default', 'web-envoy', { 'envoy.yaml': `${read.text}# edited by hand\n` });
    await expect(doc.write('stale', read.token)).rejects.toBeInstanceOf(ConflictError);
    expect(envoyYaml('web')).toMatch(/# edited by hand\n$/);
    // The annotation survived the hand edit? applyConfigMap replaced the object: put the text back.
    const again = await doc.read();
    await doc.write(read.text, again.token);
    expect(envoyYaml('web')).toBe(read.text);
  });

  it('on a sidecar that does not reload, says a restart is needed and restarts the Deployment', async () => {
    const result = await change('legacy', { backend_v1: 0, backend_v2: 100 });
    expect(result).toMatchObject({
      strategy: 'static',
      outcome: 'partial',
      replicas: [{ status: 'pending', error: expect.stringMatching(/restart/) }],
      restartNeeded: { workloads: [{ namespace: 'default', name: 'legacy' }] },
    });
    const before = cluster.api.requests.length;
    const res = await fetch(`${dash.base}/api/workloads/default/legacy/restart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: '{}',
    });
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const restart = WorkloadRestartResultSchema.parse(body);
    expect(restart).toMatchObject({ namespace: 'default', name: 'legacy', kind: 'Deployment' });
    const deploy = cluster.api.get('Deployment', 'default', 'legacy')!;
    const template = (deploy['spec'] as { template: { metadata: { annotations?: Record<string, string> } } })
      .template;
    expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBe(restart.restartedAt);
    const patch = cluster.api.requests
      .slice(before)
      .find(
        (r) =>
          r.method === 'PATCH' && r.url.startsWith('/apis/apps/v1/namespaces/default/deployments/legacy'),
      );
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    const missing = await fetch(`${dash.base}/api/workloads/default/nope/restart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: '{}',
    });
    expect(missing.status).toBe(404);
    // A Deployment that exists but is not the source of a weighted route is not restarted either.
    cluster.api.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'unrelated', namespace: 'default' },
      spec: { template: { metadata: {} } },
    });
    const unrelated = await fetch(`${dash.base}/api/workloads/default/unrelated/restart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH },
      body: '{}',
    });
    expect(unrelated.status).toBe(404);
    expect(JSON.stringify(cluster.api.get('Deployment', 'default', 'unrelated'))).not.toContain(
      'restartedAt',
    );
  });

  it('converts a route to runtime weights in its ConfigMap', async () => {
    const r = (await route(dash.base, routeOf('web')))!;
    const res = await fetch(`${dash.base}/api/routes/${encodeURIComponent(r.id)}/convert-to-runtime`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...AUTH, 'if-match': r.version },
      body: '{}',
    });
    const body: unknown = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    const converted = ConvertToRuntimeResultSchema.parse(body);
    expect(converted.prefix).toBe('meshscope.weights.local_route.backend.0');
    expect(envoyYaml('web')).toContain(
      '                  weighted_clusters:\n                    runtime_key_prefix: meshscope.weights.local_route.backend.0\n',
    );
    await cluster.settled();
    await until(
      'web to be a runtime route',
      async () => (await route(dash.base, routeOf('web')))?.strategy === 'runtime',
    );
  });
});
