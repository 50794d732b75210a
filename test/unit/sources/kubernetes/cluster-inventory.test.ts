import { describe, expect, it } from 'vitest';
import { adminEndpointOf } from '../../../../server/sources/kubernetes/admin-endpoint.ts';
import {
  buildInventory,
  type ClusterObjects,
} from '../../../../server/sources/kubernetes/cluster-inventory.ts';
import { podIdentity, workloadNameOf } from '../../../../server/sources/kubernetes/pod-identity.ts';
import {
  deploymentPod,
  endpointSlice,
  istioContainers,
  istioPrometheusAnnotations,
  pod,
  replicaSet,
  service,
} from './pod-fixtures.ts';

const envoy = {
  name: 'envoy',
  image: 'envoyproxy/envoy:v1.31',
  ports: [{ name: 'admin', containerPort: 9901 }],
};
const app = { name: 'app', image: 'app:1' };
const none = () => undefined;

describe('workloadNameOf', () => {
  it('follows ReplicaSet → Deployment', () => {
    const p = deploymentPod('reviews-v2', 'x7k2p');
    expect(
      workloadNameOf(p, (_ns, name) =>
        name === 'reviews-v2-7d4b9c8f6' ? replicaSet(name, 'reviews-v2') : undefined,
      ),
    ).toBe('reviews-v2');
  });

  it('without the ReplicaSet in the cache, strips the pod-template-hash from its name', () => {
    expect(workloadNameOf(deploymentPod('reviews-v2', 'x7k2p'), none)).toBe('reviews-v2');
  });

  it('a ReplicaSet without a Deployment is the workload', () => {
    const p = pod('batch-abcde', { owner: { kind: 'ReplicaSet', name: 'batch' } });
    expect(workloadNameOf(p, (_ns, name) => replicaSet(name, undefined))).toBe('batch');
  });

  it('other owners by name; a bare pod is its own workload', () => {
    expect(workloadNameOf(pod('ratings-0', { owner: { kind: 'StatefulSet', name: 'ratings' } }), none)).toBe(
      'ratings',
    );
    expect(workloadNameOf(pod('debug'), none)).toBe('debug');
  });
});

describe('podIdentity', () => {
  it('prefers app/version, falls back to the app.kubernetes.io labels', () => {
    expect(
      podIdentity(pod('p', { labels: { app: 'reviews', version: 'v2', 'app.kubernetes.io/name': 'x' } })),
    ).toEqual({
      app: 'reviews',
      version: 'v2',
    });
    expect(
      podIdentity(
        pod('p', { labels: { 'app.kubernetes.io/name': 'ratings', 'app.kubernetes.io/version': '1.2' } }),
      ),
    ).toEqual({ app: 'ratings', version: '1.2' });
    expect(podIdentity(pod('p'))).toEqual({ app: undefined, version: undefined });
  });
});

describe('adminEndpointOf', () => {
  it('direct: the pod IP (bracketed for IPv6)', () => {
    expect(adminEndpointOf({ mode: 'direct' }, { namespace: 'ns', name: 'p', ip: '10.1.2.3' }, 9901)).toEqual(
      {
        baseUrl: 'http://10.1.2.3:9901',
      },
    );
    expect(
      adminEndpointOf({ mode: 'direct' }, { namespace: 'ns', name: 'p', ip: 'fd00::5' }, 9901).baseUrl,
    ).toBe('http://[fd00::5]:9901');
  });

  it('through the API server: the pods/proxy URL with the credentials', () => {
    const access = {
      mode: 'api-server' as const,
      apiServer: {
        server: 'https://k8s.example:6443/prefix/',
        headers: { Authorization: 'Bearer t0k' },
        tls: { ca: 'CA', rejectUnauthorized: true },
      },
    };
    expect(
      adminEndpointOf(access, { namespace: 'book info', name: 'reviews-1', ip: '10.1.2.3' }, 15090),
    ).toEqual({
      baseUrl: 'https://k8s.example:6443/prefix/api/v1/namespaces/book%20info/pods/reviews-1:15090/proxy',
      headers: { Authorization: 'Bearer t0k' },
      tls: { ca: 'CA', rejectUnauthorized: true },
    });
  });
});

describe('buildInventory', () => {
  const objects: ClusterObjects = {
    pods: [
      deploymentPod('reviews-v1', 'aaaaa', {
        namespace: 'bookinfo',
        labels: { app: 'reviews', version: 'v1' },
        containers: istioContainers,
        annotations: istioPrometheusAnnotations,
        podIP: '10.0.0.11',
      }),
      deploymentPod('reviews-v1', 'bbbbb', {
        namespace: 'bookinfo',
        labels: { app: 'reviews', version: 'v1' },
        containers: istioContainers,
        annotations: istioPrometheusAnnotations,
        podIP: '10.0.0.12',
      }),
      // Not running yet: part of the workload, but no address and nothing to scrape.
      deploymentPod('reviews-v1', 'ccccc', {
        namespace: 'bookinfo',
        labels: { app: 'reviews', version: 'v1' },
        containers: istioContainers,
        phase: 'Pending',
      }),
      // Finished: not part of anything.
      pod('migrate-xyz', {
        namespace: 'bookinfo',
        owner: { kind: 'Job', name: 'migrate' },
        phase: 'Succeeded',
        podIP: '10.0.0.99',
      }),
      pod('frontend', {
        labels: { app: 'frontend', version: 'v1' },
        containers: [app, envoy],
        podIP: '10.0.0.2',
      }),
      pod('curl', { podIP: '10.0.0.3' }),
    ],
    replicaSets: [replicaSet('reviews-v1-7d4b9c8f6', 'reviews-v1', 'bookinfo')],
    services: [
      service('reviews', { namespace: 'bookinfo', clusterIP: '10.96.0.20', selector: { app: 'reviews' } }),
      service('reviews-headless', { namespace: 'bookinfo', clusterIP: 'None', selector: { app: 'reviews' } }),
    ],
    endpointSlices: [
      endpointSlice(
        'reviews-abc',
        'reviews',
        [{ ip: '10.0.0.12' }, { ip: '10.0.0.11', ready: true }],
        'bookinfo',
      ),
      endpointSlice('reviews-def', 'reviews', [{ ip: '10.0.0.13', ready: false }], 'bookinfo'),
      endpointSlice('reviews-headless-x', 'reviews-headless', [{ ip: '10.0.0.11' }], 'bookinfo'),
    ],
  };

  it('groups pods into workloads with identity, serving addresses and sidecars', () => {
    const inv = buildInventory(objects, { mode: 'direct' });
    expect(inv.workloads).toEqual([
      {
        namespace: 'bookinfo',
        name: 'reviews-v1',
        app: 'reviews',
        version: 'v1',
        addresses: ['10.0.0.11', '10.0.0.12'],
        pods: ['reviews-v1-7d4b9c8f6-aaaaa', 'reviews-v1-7d4b9c8f6-bbbbb', 'reviews-v1-7d4b9c8f6-ccccc'],
        hasSidecar: true,
      },
      {
        namespace: 'default',
        name: 'curl',
        app: 'curl',
        version: undefined,
        addresses: ['10.0.0.3'],
        pods: ['curl'],
        hasSidecar: false,
      },
      {
        namespace: 'default',
        name: 'frontend',
        app: 'frontend',
        version: 'v1',
        addresses: ['10.0.0.2'],
        pods: ['frontend'],
        hasSidecar: true,
      },
    ]);
  });

  it('lists a sidecar per running pod, with its admin endpoint', () => {
    const inv = buildInventory(objects, { mode: 'direct' });
    expect(inv.sidecars).toEqual([
      {
        id: 'bookinfo/reviews-v1-7d4b9c8f6-aaaaa',
        namespace: 'bookinfo',
        workload: 'reviews-v1',
        pod: 'reviews-v1-7d4b9c8f6-aaaaa',
        kind: 'istio-proxy',
        admin: { baseUrl: 'http://10.0.0.11:15020' },
        statsPath: '/stats/prometheus',
      },
      {
        id: 'bookinfo/reviews-v1-7d4b9c8f6-bbbbb',
        namespace: 'bookinfo',
        workload: 'reviews-v1',
        pod: 'reviews-v1-7d4b9c8f6-bbbbb',
        kind: 'istio-proxy',
        admin: { baseUrl: 'http://10.0.0.12:15020' },
        statsPath: '/stats/prometheus',
      },
      {
        id: 'default/frontend',
        namespace: 'default',
        workload: 'frontend',
        pod: 'frontend',
        kind: 'envoy',
        admin: { baseUrl: 'http://10.0.0.2:9901' },
        statsPath: '/stats/prometheus',
      },
    ]);
  });

  it('maps Services to their ClusterIPs and ready EndpointSlice addresses', () => {
    const inv = buildInventory(objects, { mode: 'direct' });
    expect(inv.services).toEqual([
      {
        namespace: 'bookinfo',
        name: 'reviews',
        clusterIps: ['10.96.0.20'],
        endpointIps: ['10.0.0.11', '10.0.0.12'],
        selector: { app: 'reviews' },
      },
      {
        namespace: 'bookinfo',
        name: 'reviews-headless',
        clusterIps: [],
        endpointIps: ['10.0.0.11'],
        selector: { app: 'reviews' },
      },
    ]);
  });

  it('during a rollout, takes the version of the newest serving pod', () => {
    const old = pod('web-old', {
      labels: { app: 'web', version: 'v1' },
      owner: { kind: 'StatefulSet', name: 'web' },
      podIP: '10.0.0.5',
      created: '2025-01-01T00:00:00Z',
    });
    const newer = pod('web-new', {
      labels: { app: 'web', version: 'v2' },
      owner: { kind: 'StatefulSet', name: 'web' },
      podIP: '10.0.0.6',
      created: '2025-01-02T00:00:00Z',
    });
    const pending = pod('web-pending', {
      labels: { app: 'web', version: 'v3' },
      owner: { kind: 'StatefulSet', name: 'web' },
      phase: 'Pending',
      created: '2025-01-03T00:00:00Z',
    });
    const inv = buildInventory(
      { pods: [old, pending, newer], replicaSets: [], services: [], endpointSlices: [] },
      { mode: 'direct' },
    );
    expect(inv.workloads.map((w) => w.version)).toEqual(['v2']);
  });

  it('is deterministic whatever the order of the objects', () => {
    const reversed = {
      ...objects,
      pods: [...objects.pods].reverse(),
      endpointSlices: [...objects.endpointSlices].reverse(),
    };
    expect(buildInventory(reversed, { mode: 'direct' })).toEqual(buildInventory(objects, { mode: 'direct' }));
  });
});
