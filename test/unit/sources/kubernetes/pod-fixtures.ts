// Pods, ReplicaSets, Services and EndpointSlices shaped as the API server returns them (watch JSON: plain
// objects with string timestamps), for the pure discovery functions.
import type { V1EndpointSlice, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';

interface PodSpecOptions {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers?: NonNullable<V1Pod['spec']>['containers'];
  initContainers?: NonNullable<V1Pod['spec']>['initContainers'];
  owner?: { kind: string; name: string };
  phase?: string;
  podIP?: string;
  created?: string;
}

export function pod(name: string, o: PodSpecOptions = {}): V1Pod {
  const status: NonNullable<V1Pod['status']> = { phase: o.phase ?? 'Running' };
  if (o.podIP) {
    status.podIP = o.podIP;
    status.podIPs = [{ ip: o.podIP }];
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: (o.created ?? '2025-01-01T00:00:00Z') as unknown as Date,
      ...(o.labels ? { labels: o.labels } : {}),
      ...(o.annotations ? { annotations: o.annotations } : {}),
      ...(o.owner
        ? {
            ownerReferences: [
              {
                apiVersion: o.owner.kind === 'ReplicaSet' ? 'apps/v1' : 'batch/v1',
                kind: o.owner.kind,
                name: o.owner.name,
                uid: `uid-${o.owner.name}`,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      containers: o.containers ?? [
        { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
    },
    status,
  };
}

/** A pod of Deployment `deployment`, through ReplicaSet `<deployment>-<hash>`, as the controllers make it. */
export function deploymentPod(deployment: string, suffix: string, o: PodSpecOptions = {}): V1Pod {
  const hash = '7d4b9c8f6';
  return pod(`${deployment}-${hash}-${suffix}`, {
    ...o,
    labels: { ...o.labels, 'pod-template-hash': hash },
    owner: { kind: 'ReplicaSet', name: `${deployment}-${hash}` },
  });
}

export function replicaSet(
  name: string,
  deployment: string | undefined,
  namespace = 'default',
): V1ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace,
      ...(deployment
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: deployment,
                uid: `uid-${deployment}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
  };
}

/** An Istio-injected container list (istio-proxy as a regular sidecar container). */
export const istioContainers: NonNullable<V1Pod['spec']>['containers'] = [
  {
    name: 'reviews',
    image: 'docker.io/istio/examples-bookinfo-reviews-v2:1.20.2',
    ports: [{ containerPort: 9080 }],
  },
  {
    name: 'istio-proxy',
    image: 'docker.io/istio/proxyv2:1.24.0',
    args: ['proxy', 'sidecar'],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
  },
];

/** Istio's sidecar annotations for merged metrics (the agent on :15020). */
export const istioPrometheusAnnotations = {
  'prometheus.io/path': '/stats/prometheus',
  'prometheus.io/port': '15020',
  'prometheus.io/scrape': 'true',
  'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"]}',
};

export function service(
  name: string,
  o: { namespace?: string; clusterIP?: string; selector?: Record<string, string> } = {},
): V1Service {
  const clusterIP = o.clusterIP ?? '10.96.0.10';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'default' },
    spec: {
      clusterIP,
      clusterIPs: [clusterIP],
      ...(o.selector ? { selector: o.selector } : {}),
      ports: [{ port: 80, targetPort: 8080 }],
    },
  };
}

export function endpointSlice(
  name: string,
  serviceName: string,
  endpoints: { ip: string; ready?: boolean }[],
  namespace = 'default',
): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: e.ready === undefined ? {} : { ready: e.ready },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}
