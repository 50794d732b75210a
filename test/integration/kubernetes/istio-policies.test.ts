// VirtualServices and DestinationRules through the inventory source's informers, against the fake API
// server speaking the real protocol: listed and watched when networking.istio.io is served (their
// policies in the inventory follow adds, changes and deletes), and not asked for at all, without an
// error, when the group answers 404 (a cluster without Istio).
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../server/model/inventory.ts';
import { KubernetesInventorySource } from '../../../server/sources/kubernetes/kubernetes-inventory-source.ts';
import { FakeKubeApiServer } from '../../support/fake-kube-apiserver.ts';

const servers: FakeKubeApiServer[] = [];
const sources: KubernetesInventorySource[] = [];

afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  for (const s of servers.splice(0)) await s.close();
});

async function setup(opts: { istio: boolean }) {
  const api = new FakeKubeApiServer();
  servers.push(api);
  if (!opts.istio) api.hideGroup('networking.istio.io');
  await api.start();
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig());
  const errors: { resource: string; err: unknown }[] = [];
  const source = new KubernetesInventorySource({
    kubeConfig: kc,
    adminAccess: 'direct',
    delayFn: async () => {},
    restartDelayMs: { initial: 20, max: 200 },
    onError: (resource, err) => errors.push({ resource, err }),
  });
  sources.push(source);
  return { api, source, errors };
}

async function until(source: KubernetesInventorySource, what: string, ok: (inv: Inventory) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const inv = source.current();
    if (ok(inv)) return inv;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(inv.istioPolicies)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const destinationRule = (maxConnections: number) => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'DestinationRule',
  metadata: { name: 'httpbin', namespace: 'default' },
  spec: {
    host: 'httpbin',
    trafficPolicy: {
      connectionPool: { tcp: { maxConnections }, http: { http1MaxPendingRequests: 1 } },
    },
  },
});

const virtualService = {
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'VirtualService',
  metadata: { name: 'httpbin', namespace: 'default' },
  spec: {
    hosts: ['httpbin'],
    http: [
      {
        route: [{ destination: { host: 'httpbin', subset: 'v1' } }],
        retries: { attempts: 2, retryOn: '5xx' },
      },
    ],
  },
};

describe('Istio objects in the inventory', () => {
  it('lists and watches VirtualServices and DestinationRules when the group is served', async () => {
    const { api, source, errors } = await setup({ istio: true });
    api.apply(destinationRule(1));
    await source.start();
    let inv = await until(source, 'the listed rule', (i) => (i.istioPolicies?.length ?? 0) === 1);
    expect(inv.istioPolicies?.[0]).toMatchObject({
      host: 'httpbin.default.svc.cluster.local',
      policies: { circuitBreaker: { thresholds: [{ maxConnections: 1, maxPendingRequests: 1 }] } },
    });
    // Watched: a new VirtualService, a changed rule, then both deleted.
    api.apply(virtualService);
    inv = await until(source, 'the watched VirtualService', (i) => (i.istioPolicies?.length ?? 0) === 2);
    expect(inv.istioPolicies?.find((p) => p.subset === 'v1')?.policies.retries).toEqual({
      retryOn: ['5xx'],
      numRetries: 2,
      rps: 0,
    });
    api.apply(destinationRule(5));
    await until(
      source,
      'the changed rule',
      (i) =>
        i.istioPolicies?.find((p) => p.subset === undefined)?.policies.circuitBreaker?.thresholds[0]
          ?.maxConnections === 5,
    );
    api.remove('VirtualService', 'default', 'httpbin');
    api.remove('DestinationRule', 'default', 'httpbin');
    await until(source, 'no policies', (i) => i.istioPolicies === undefined);
    expect(source.restarts()).toMatchObject({ virtualservices: 0, destinationrules: 0 });
    expect(api.openWatches('virtualservices')).toBe(1);
    expect(errors).toEqual([]);
  });

  it('neither asks for them nor reports an error when the group answers 404', async () => {
    const { api, source, errors } = await setup({ istio: false });
    await source.start();
    expect(source.current().istioPolicies).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toEqual([]);
    const istioRequests = api.requests.filter((r) => r.url.startsWith('/apis/networking.istio.io'));
    // One discovery request, no list or watch.
    expect(istioRequests.map((r) => r.url)).toEqual(['/apis/networking.istio.io/v1beta1']);
    expect(source.restarts()).not.toHaveProperty('virtualservices');
  });
});
