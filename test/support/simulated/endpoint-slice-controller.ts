// The EndpointSlice controller, simulated: one slice per Service holding the IPs of the pods its
// selector matches (ready while Running), labelled `kubernetes.io/service-name` as the real controller
// does; a slice whose Service is gone is garbage-collected.
import { createHash } from 'node:crypto';
import type { FakeKubeApiServer } from '../fake-kube-apiserver.ts';

export const POD_APP_PORT = 8080;
const MANAGED_BY = 'endpointslice-controller.k8s.io';

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 9);
}

export function ownerRef(apiVersion: string, kind: string, name: string, uid: string) {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export function syncEndpointSlices(api: FakeKubeApiServer): void {
  const services = api.store.list('services');
  // Garbage collection: a slice goes with its Service (its owner).
  for (const slice of api.store.list('endpointslices')) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    const owned = slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY;
    const alive = services.some(
      (s) => s.metadata.namespace === slice.metadata.namespace && s.metadata.name === service,
    );
    if (owned && !alive)
      api.remove('EndpointSlice', slice.metadata.namespace ?? '', slice.metadata.name ?? '');
  }
  for (const svc of services) {
    const namespace = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const selector = (svc['spec'] as { selector?: Record<string, string> }).selector ?? {};
    const endpoints = api.store
      .list('pods', namespace)
      .filter(
        (p) =>
          Object.keys(selector).length > 0 &&
          Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v),
      )
      .flatMap((p) => {
        const status = (p['status'] ?? {}) as { phase?: string; podIP?: string };
        if (!status.podIP) return [];
        return [
          {
            addresses: [status.podIP],
            conditions: { ready: status.phase === 'Running' },
            targetRef: { kind: 'Pod', namespace, name: p.metadata.name, uid: p.metadata.uid },
          },
        ];
      });
    const sliceName = `${name}-${hashOf(name).slice(0, 5)}`;
    const current = api.get('EndpointSlice', namespace, sliceName);
    if (current && JSON.stringify(current['endpoints']) === JSON.stringify(endpoints)) continue;
    api.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: sliceName,
        namespace,
        labels: {
          'kubernetes.io/service-name': name,
          'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
        },
        ownerReferences: [ownerRef('v1', 'Service', name, svc.metadata.uid ?? '')],
      },
      addressType: 'IPv4',
      endpoints,
      ports: [{ name: 'http', port: POD_APP_PORT, protocol: 'TCP' }],
    });
  }
}
