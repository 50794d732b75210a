// Weights in Kubernetes mode on the simulated cluster: a Deployment of two pods whose sidecars read
// their runtime disk layer from a ConfigMap volume. A change reaches both sidecars through
// /runtime_modify, and is made durable by a merge patch of that ConfigMap (found from the pod spec's
// volumes and mounts), which the kubelet projects into every pod: a restarted sidecar keeps it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightChangeResultSchema } from '../../../shared/api/weights.ts';
import { listenerConfig } from '../../support/envoy-bootstrap.ts';
import { startProxy, stopAll } from '../../support/processes.ts';
import { inboundBootstrap, SimulatedCluster, type SimulatedPod } from '../../support/simulated-cluster.ts';
import {
  type Dashboard,
  putWeights,
  route,
  routes,
  runtimeOf,
  startInClusterDashboard,
  until,
} from './weights-harness.ts';

const PREFIX = 'routing.traffic_split.backend';
let cluster: SimulatedCluster;
let dir: string;
let pods: SimulatedPod[];
let dash: Dashboard;
let routeId = '';

/** The pod's inbound sidecar plus an egress listener splitting over two clusters by runtime weights. */
function bootstrap(pod: Parameters<typeof inboundBootstrap>[0]) {
  const b = inboundBootstrap(pod);
  const egress = listenerConfig(
    {
      name: 'listener_0',
      port: 10000,
      routes: [
        {
          prefix: '/',
          weightedClusters: [
            { name: 'backend_v1', weight: 80 },
            { name: 'backend_v2', weight: 20 },
          ],
        },
      ],
    },
    1,
    undefined,
  );
  egress.address.socket_address.address = pod.ip;
  const json = JSON.stringify(egress).replace(
    '"weighted_clusters":{',
    `"weighted_clusters":{"runtime_key_prefix":"${PREFIX}",`,
  );
  const local = (name: string) => ({
    ...b.static_resources.clusters[0]!,
    name,
    load_assignment: { ...b.static_resources.clusters[0]!.load_assignment, cluster_name: name },
  });
  return {
    ...b,
    static_resources: {
      listeners: [...b.static_resources.listeners, JSON.parse(json)],
      clusters: [...b.static_resources.clusters, local('backend_v1'), local('backend_v2')],
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshscope-weights-k8s-'));
  cluster = await SimulatedCluster.start();
  cluster.applyConfigMap('default', 'web-runtime', {
    [`${PREFIX}.backend_v1`]: '80',
    [`${PREFIX}.backend_v2`]: '20',
    unrelated: 'keep',
  });
  const spec = {
    deployment: 'web',
    labels: { app: 'web', version: 'v1' },
    configMapVolumes: { runtime: 'web-runtime' },
    bootstrap,
  };
  pods = [await cluster.addPod(spec), await cluster.addPod(spec)];
  await cluster.settled();
  dash = await startInClusterDashboard(cluster, dir);
  const found = await until(
    'the web route with both replicas',
    async () => (await routes(dash.base)).find((r) => r.source.workload === 'web' && r.replicas.length === 2),
    20_000,
    dash.output,
  );
  routeId = found.id;
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await cluster?.stop();
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const split = async (adminUrl: string) => {
  const rt = await runtimeOf(adminUrl);
  return [rt[`${PREFIX}.backend_v1`], rt[`${PREFIX}.backend_v2`]].join('/');
};

describe('weights in Kubernetes (runtime strategy, ConfigMap disk layer)', () => {
  it('sets both replicas and merge-patches the ConfigMap they mount, other keys untouched', async () => {
    expect(await split(pods[0]!.adminUrl)).toBe('80/20');
    const version = (await route(dash.base, routeId))!.version;
    const res = await putWeights(
      dash.base,
      routeId,
      { weights: { backend_v1: 50, backend_v2: 50 } },
      version,
    );
    const result = WeightChangeResultSchema.parse(await res.json());
    expect(result).toMatchObject({
      outcome: 'applied',
      persisted: [{ kind: 'configmap', location: 'configmap default/web-runtime' }],
    });
    expect(result.replicas.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(result.warnings).toBeUndefined();
    expect(cluster.api.get('ConfigMap', 'default', 'web-runtime')?.['data']).toEqual({
      [`${PREFIX}.backend_v1`]: '50',
      [`${PREFIX}.backend_v2`]: '50',
      unrelated: 'keep',
    });
    const patches = cluster.api.requests.filter((r) => r.method === 'PATCH');
    // The values, then the change appended to the history annotation (server/weights/kubernetes-audit.ts).
    expect(patches.map((r) => [r.url.split('?')[0], r.headers['content-type']])).toEqual([
      ['/api/v1/namespaces/default/configmaps/web-runtime', 'application/merge-patch+json'],
      ['/api/v1/namespaces/default/configmaps/web-runtime', 'application/merge-patch+json'],
    ]);
    const cm = cluster.api.get('ConfigMap', 'default', 'web-runtime')!;
    const history = JSON.parse(
      cm.metadata.annotations?.['meshscope.io/weights-history'] ?? '[]',
    ) as unknown[];
    expect(history).toEqual([expect.objectContaining({ id: result.auditId, outcome: 'applied' })]);
    const event = cluster.api.store.list('events', 'default').find((e) => e['reason'] === 'WeightsChanged');
    expect(event).toMatchObject({ involvedObject: { kind: 'Deployment', name: 'web' }, type: 'Normal' });
    for (const p of pods) expect(await split(p.adminUrl)).toBe('50/50');
  });

  it('the kubelet projects the patch into every pod, so a restarted sidecar keeps the weights', async () => {
    await cluster.settled();
    for (const p of pods)
      expect(readFileSync(join(p.mounts['runtime']!, `${PREFIX}.backend_v1`), 'utf8')).toBe('50');
    const pod = pods[1]!;
    const config = pod.proxy!.config;
    await pod.proxy!.stop();
    const again = await startProxy(config);
    // Read at once: the admin layer of a fresh process is empty, this is the ConfigMap's projection.
    expect(await split(again.adminUrl)).toBe('50/50');
  });
});
