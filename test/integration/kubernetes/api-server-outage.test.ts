// An API server that is not there yet: the source starts anyway (empty inventory, errors reported),
// retries with capped back-off rather than in a tight loop, and lists everything once the server answers.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { KubernetesInventorySource } from '../../../server/sources/kubernetes/kubernetes-inventory-source.ts';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.ts';
import { freePort } from '../../support/processes.ts';

const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

it('starts while the API server is down, backs off, and catches up when it comes up', async () => {
  const port = await freePort();
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'down', server: `http://127.0.0.1:${port}`, skipTLSVerify: true },
    { name: 'nobody' },
  );
  const errors: string[] = [];
  const source = new KubernetesInventorySource({
    kubeConfig: kc,
    adminAccess: 'direct',
    delayFn: async () => {},
    restartDelayMs: { initial: 20, max: 100 },
    onError: (resource) => errors.push(resource),
  });
  cleanup.push(() => source.stop());
  await source.start();
  expect(source.current()).toEqual({ workloads: [], services: [], sidecars: [] });
  expect(new Set(errors)).toEqual(
    new Set(['pods', 'services', 'endpointslices', 'replicasets', 'configmaps']),
  );

  await new Promise((r) => setTimeout(r, 600));
  // 20, 40, 80, then every 100 ms: about 8 attempts in 600 ms; a tight loop would make hundreds.
  const restarts = source.restarts().pods;
  expect(restarts).toBeGreaterThanOrEqual(4);
  expect(restarts).toBeLessThanOrEqual(10);

  const server = new FakeKubeApiServer();
  server.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'early', namespace: 'default', labels: { app: 'early' } },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase: 'Running', podIP: '127.0.2.1' },
  });
  await server.start(port);
  cleanup.push(() => server.close());
  const deadline = Date.now() + 5_000;
  while (source.current().workloads.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(source.current().workloads.map((w) => [w.name, w.addresses])).toEqual([['early', ['127.0.2.1']]]);
  await new Promise((r) => setTimeout(r, 20));
  const settled = errors.length;
  server.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'later', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'app:1' }] },
    status: { phase: 'Running', podIP: '127.0.2.2' },
  });
  while (source.current().workloads.length < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(source.current().workloads.map((w) => w.name)).toEqual(['early', 'later']);
  expect(errors.length).toBe(settled);
});
