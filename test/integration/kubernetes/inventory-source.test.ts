// KubernetesInventorySource against the simulated cluster: informers on the fake API server follow
// pods, Services and EndpointSlices through adds, changes and deletes, survive 410 Gone, dropped and
// failing watches, and resolve each sidecar's admin endpoint to a real proxy, directly at the pod IP
// and through the API server's pods/proxy subresource.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../server/model/inventory.ts';
import {
  type KubernetesInventoryOptions,
  KubernetesInventorySource,
} from '../../../server/sources/kubernetes/kubernetes-inventory-source.ts';
import { stopAll } from '../../support/processes.ts';
import { SimulatedCluster, type SimulatedPod } from '../../support/simulated-cluster.ts';

let cluster: SimulatedCluster;
let reviews: SimulatedPod[];
let bare: SimulatedPod;
const sources: KubernetesInventorySource[] = [];
const errors: { resource: string; err: unknown }[] = [];

async function startSource(
  opts: Partial<KubernetesInventoryOptions> = {},
): Promise<KubernetesInventorySource> {
  const source = new KubernetesInventorySource({
    kubeConfig: cluster.kubeConfig(),
    adminAccess: 'direct',
    delayFn: async () => {},
    restartDelayMs: { initial: 20, max: 200 },
    onError: (resource, err) => errors.push({ resource, err }),
    ...opts,
  });
  sources.push(source);
  await source.start();
  return source;
}

async function until(
  source: KubernetesInventorySource,
  what: string,
  ok: (inv: Inventory) => boolean,
  timeoutMs = 10_000,
): Promise<Inventory> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const inv = source.current();
    if (ok(inv)) return inv;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; inventory: ${JSON.stringify(inv, null, 1)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A pod with no processes behind it (the informer tests only need the object). */
function fakePod(name: string, ip: string, labels: Record<string, string>, phase = 'Running') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase, podIP: ip, podIPs: [{ ip }] },
  };
}

const workload = (inv: Inventory, name: string) => inv.workloads.find((w) => w.name === name);
const serviceOf = (inv: Inventory, name: string) => inv.services.find((s) => s.name === name);
const listRequests = (path: string) =>
  cluster.api.requests.filter((r) => r.method === 'GET' && r.url === path).length;

beforeAll(async () => {
  cluster = await SimulatedCluster.start();
  reviews = [
    await cluster.addPod({ deployment: 'reviews-v1', labels: { app: 'reviews', version: 'v1' } }),
    await cluster.addPod({ deployment: 'reviews-v1', labels: { app: 'reviews', version: 'v1' } }),
  ];
  bare = await cluster.addPod({ name: 'curl', labels: { 'app.kubernetes.io/name': 'curl' }, sidecar: false });
  cluster.addService('reviews', { selector: { app: 'reviews' } });
  await cluster.settled();
}, 60_000);

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  errors.length = 0;
});

afterAll(async () => {
  await cluster?.stop();
  await stopAll();
});

describe('KubernetesInventorySource on the simulated cluster', () => {
  it('lists workloads (Deployment through its ReplicaSet, a bare pod), Services and sidecars at start', async () => {
    const source = await startSource();
    const inv = source.current();
    const ips = reviews.map((p) => p.ip).sort();
    expect(workload(inv, 'reviews-v1')).toEqual({
      namespace: 'default',
      name: 'reviews-v1',
      app: 'reviews',
      version: 'v1',
      addresses: ips,
      pods: reviews.map((p) => p.name).sort(),
      hasSidecar: true,
    });
    expect(workload(inv, 'curl')).toMatchObject({ app: 'curl', addresses: [bare.ip], hasSidecar: false });
    expect(serviceOf(inv, 'reviews')).toMatchObject({ endpointIps: ips, selector: { app: 'reviews' } });
    expect(serviceOf(inv, 'reviews')?.clusterIps).toHaveLength(1);
    expect(inv.sidecars.map((s) => [s.id, s.kind, s.admin.baseUrl, s.statsPath])).toEqual(
      [...reviews]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((p) => [`default/${p.name}`, 'meshscope-proxy', `http://${p.ip}:9901`, '/stats/prometheus']),
    );
  });

  it('follows pods, Services and EndpointSlices through the watch: added, modified, deleted', async () => {
    const source = await startSource();
    let changes = 0;
    source.onChange(() => changes++);

    cluster.api.apply(fakePod('ratings-1', '127.0.1.1', { app: 'ratings', version: 'v1' }));
    cluster.addService('ratings', { selector: { app: 'ratings' } });
    let inv = await until(
      source,
      'ratings and its endpoints',
      (i) => serviceOf(i, 'ratings')?.endpointIps.length === 1,
    );
    expect(workload(inv, 'ratings-1')).toMatchObject({
      app: 'ratings',
      version: 'v1',
      addresses: ['127.0.1.1'],
    });
    expect(changes).toBeGreaterThan(0);

    // Modified: a label change moves the pod to another version; Pending takes its address away.
    cluster.api.apply(fakePod('ratings-1', '127.0.1.1', { app: 'ratings', version: 'v2' }));
    await until(source, 'version v2', (i) => workload(i, 'ratings-1')?.version === 'v2');
    cluster.setPodPhase('default', 'ratings-1', 'Pending');
    inv = await until(
      source,
      'no address while Pending',
      (i) => workload(i, 'ratings-1')?.addresses.length === 0,
    );
    expect(serviceOf(inv, 'ratings')?.endpointIps).toEqual([]);

    // Deleted: the pod, then the Service (its slice goes with it).
    cluster.api.remove('Pod', 'default', 'ratings-1');
    await until(source, 'the pod to go', (i) => workload(i, 'ratings-1') === undefined);
    cluster.api.remove('Service', 'default', 'ratings');
    await until(source, 'the Service to go', (i) => serviceOf(i, 'ratings') === undefined);
    await cluster.settled();
    expect(
      cluster.api.store.list('endpointslices').map((s) => s.metadata.labels?.['kubernetes.io/service-name']),
    ).toEqual(['reviews']);
    expect(errors).toEqual([]);
  });

  for (const as of ['event', 'status'] as const) {
    it(`relists after 410 Gone (${as}) and drops what vanished while it could not watch`, async () => {
      cluster.api.apply(fakePod(`old-${as}`, '127.0.1.2', { app: `old-${as}` }));
      const source = await startSource();
      await until(source, 'the old pod', (i) => workload(i, `old-${as}`) !== undefined);
      const lists = listRequests('/api/v1/pods');

      // While the watch is down: a delete and an add it cannot replay, then history is compacted.
      cluster.api.dropWatches({ resource: 'pods' });
      cluster.api.remove('Pod', 'default', `old-${as}`);
      cluster.api.apply(fakePod(`new-${as}`, '127.0.1.3', { app: `new-${as}` }));
      cluster.api.expireHistory({ as });

      await until(
        source,
        'the relisted state',
        (i) => workload(i, `old-${as}`) === undefined && workload(i, `new-${as}`) !== undefined,
      );
      expect(listRequests('/api/v1/pods')).toBe(lists + 1);
      cluster.api.remove('Pod', 'default', `new-${as}`);
      await until(source, 'the watch to work again', (i) => workload(i, `new-${as}`) === undefined);
      expect(errors).toEqual([]);
    });
  }

  it('re-watches after the server ends its watches', async () => {
    const source = await startSource();
    // Five informers, and VirtualServices and DestinationRules: the fake serves networking.istio.io.
    expect(cluster.api.dropWatches()).toBe(7);
    cluster.api.apply(fakePod('after-drop', '127.0.1.4', { app: 'after-drop' }));
    await until(source, 'the pod added after the drop', (i) => workload(i, 'after-drop') !== undefined);
    cluster.api.remove('Pod', 'default', 'after-drop');
    await until(source, 'its removal', (i) => workload(i, 'after-drop') === undefined);
    expect(source.restarts()).toEqual({
      pods: 0,
      services: 0,
      endpointslices: 0,
      replicasets: 0,
      configmaps: 0,
      virtualservices: 0,
      destinationrules: 0,
    });
  });

  it('restarts the informer that client-node gives up on: a 500 on the watch, a reset connection', async () => {
    const source = await startSource();

    cluster.api.failNextWatch(500, { resource: 'pods', count: 2 });
    cluster.api.dropWatches({ resource: 'pods' });
    cluster.api.apply(fakePod('after-500', '127.0.1.5', { app: 'after-500' }));
    await until(
      source,
      'the pod added while the watch failed',
      (i) => workload(i, 'after-500') !== undefined,
    );
    expect(source.restarts().pods).toBe(2);
    expect(errors.map((e) => [e.resource, (e.err as { statusCode?: number }).statusCode])).toEqual([
      ['pods', 500],
      ['pods', 500],
    ]);

    cluster.api.dropWatches({ resource: 'services', reset: true });
    cluster.addService('after-reset', { selector: { app: 'after-500' } });
    const inv = await until(
      source,
      'the Service added after the reset',
      (i) => serviceOf(i, 'after-reset') !== undefined,
    );
    expect(source.restarts().services).toBe(1);
    await until(source, 'its endpoints', (i) => serviceOf(i, 'after-reset')?.endpointIps[0] === '127.0.1.5');
    expect(inv.services.length).toBeGreaterThan(1);

    cluster.api.remove('Service', 'default', 'after-reset');
    cluster.api.remove('Pod', 'default', 'after-500');
    await until(
      source,
      'the cleanup',
      (i) => serviceOf(i, 'after-reset') === undefined && !workload(i, 'after-500'),
    );
  });

  it('keeps ConfigMaps for the weights, and says when they change', async () => {
    const source = await startSource();
    let changes = 0;
    source.onConfigMapChange(() => changes++);
    cluster.applyConfigMap('default', 'reviews-weights', { 'routing.traffic_shift.reviews': '80' });
    const deadline = Date.now() + 10_000;
    while (source.configMap('default', 'reviews-weights') === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(source.configMap('default', 'reviews-weights')?.data).toEqual({
      'routing.traffic_shift.reviews': '80',
    });
    expect(changes).toBe(1);
    expect(source.configMaps('default').map((c) => c.metadata?.name)).toContain('reviews-weights');
  });
});

describe('sidecar admin endpoints on the simulated cluster', () => {
  const query = '/stats/prometheus?usedonly&filter=cluster%5C.';

  async function statsThrough(target: Inventory['sidecars'][number], path: string) {
    const res = await fetch(`${target.admin.baseUrl}${path}`, { headers: target.admin.headers ?? {} });
    return { status: res.status, body: await res.text() };
  }

  function sampleNames(body: string): string[] {
    return body
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/[{ ]/)[0] ?? '');
  }

  beforeAll(async () => {
    // Traffic through each sidecar, so `usedonly` keeps its cluster stats.
    for (const p of reviews) expect((await fetch(p.url)).status).toBe(200);
  });

  it('directly at podIP:9901: a real proxy answers, filtered as asked', async () => {
    const source = await startSource();
    const target = source.current().sidecars.find((s) => s.pod === reviews[0]?.name);
    expect(target?.admin).toEqual({ baseUrl: `http://${reviews[0]?.ip}:9901` });
    const all = await statsThrough(target!, '/stats/prometheus');
    const filtered = await statsThrough(target!, query);
    expect(filtered.status).toBe(200);
    expect(sampleNames(all.body).some((n) => !n.startsWith('envoy_cluster_'))).toBe(true);
    const names = sampleNames(filtered.body);
    expect(names).toContain('envoy_cluster_upstream_rq_total');
    expect(names.every((n) => n.startsWith('envoy_cluster_'))).toBe(true);
  });

  it('through the API server’s pods/proxy, with the kubeconfig’s token, the query intact', async () => {
    const source = await startSource({
      kubeConfig: cluster.kubeConfig({ token: 's3cret' }),
      adminAccess: 'api-server',
    });
    const pod = reviews[1]!;
    const target = source.current().sidecars.find((s) => s.pod === pod.name);
    expect(target?.admin).toEqual({
      baseUrl: `${cluster.api.url}/api/v1/namespaces/default/pods/${pod.name}:9901/proxy`,
      headers: { Authorization: 'Bearer s3cret' },
    });

    const before = cluster.api.requests.length;
    const filtered = await statsThrough(target!, query);
    expect(filtered.status).toBe(200);
    const names = sampleNames(filtered.body);
    expect(names).toContain('envoy_cluster_upstream_rq_total');
    expect(names.every((n) => n.startsWith('envoy_cluster_'))).toBe(true);

    const seen = cluster.api.requests.slice(before).find((r) => r.url.includes('/proxy/'));
    expect(seen?.url).toBe(`/api/v1/namespaces/default/pods/${pod.name}:9901/proxy${query}`);
    expect(seen?.headers.authorization).toBe('Bearer s3cret');
  });

  it('an istio-proxy pod through pods/proxy (its prometheus annotations); a 503 once its sidecar is gone', async () => {
    const gone = await cluster.addPod({
      deployment: 'doomed',
      labels: { app: 'doomed' },
      sidecar: 'istio-proxy',
    });
    const source = await startSource({ adminAccess: 'api-server' });
    const target = (
      await until(source, 'the doomed sidecar', (i) => i.sidecars.some((s) => s.pod === gone.name))
    ).sidecars.find((s) => s.pod === gone.name);
    expect(target).toMatchObject({ kind: 'istio-proxy', statsPath: '/stats/prometheus' });
    expect(target?.admin.baseUrl).toBe(
      `${cluster.api.url}/api/v1/namespaces/default/pods/${gone.name}:9901/proxy`,
    );
    const stats = await statsThrough(target!, target!.statsPath);
    expect(stats.status).toBe(200);
    expect(stats.body).toContain('# TYPE envoy_server_live gauge');
    await gone.proxy?.stop();
    const res = await statsThrough(target!, '/ready');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', code: 503 });
    await cluster.removePod(gone.namespace, gone.name);
    await until(source, 'the doomed workload to go', (i) => workload(i, 'doomed') === undefined);
  });
});
