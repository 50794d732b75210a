// The inventory of a cluster from the objects the informers hold: pods grouped into workloads, Services
// with their endpoints, and the sidecars to scrape. Pure; sorted output, so two builds of the same
// objects compare equal.
import type { V1EndpointSlice, V1Pod, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { Inventory, ServiceInfo, SidecarTarget, WorkloadInfo } from '../../model/inventory.ts';
import { type AdminAccess, adminEndpointOf } from './admin-endpoint.ts';
import { isFinished, podIdentity, servingIps, workloadNameOf } from './pod-identity.ts';
import { podSidecar } from './pod-sidecar.ts';

export interface ClusterObjects {
  pods: readonly V1Pod[];
  services: readonly V1Service[];
  endpointSlices: readonly V1EndpointSlice[];
  replicaSets: readonly V1ReplicaSet[];
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** Listed objects carry `Date`s, watched ones RFC 3339 strings. */
function createdAt(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp as Date | string | undefined;
  return t === undefined ? 0 : new Date(t).getTime();
}

export function buildInventory(objects: ClusterObjects, access: AdminAccess): Inventory {
  const replicaSets = new Map<string, V1ReplicaSet>();
  for (const rs of objects.replicaSets) {
    replicaSets.set(`${rs.metadata?.namespace}/${rs.metadata?.name}`, rs);
  }
  const lookup = (ns: string, name: string) => replicaSets.get(`${ns}/${name}`);

  const groups = new Map<string, { namespace: string; name: string; pods: V1Pod[] }>();
  const sidecars: (SidecarTarget & { key: string })[] = [];
  for (const pod of objects.pods) {
    if (isFinished(pod)) continue;
    const namespace = pod.metadata?.namespace ?? 'default';
    const podName = pod.metadata?.name ?? '';
    const name = workloadNameOf(pod, lookup);
    const key = `${namespace}/${name}`;
    const group = groups.get(key) ?? { namespace, name, pods: [] };
    group.pods.push(pod);
    groups.set(key, group);

    const sidecar = podSidecar(pod);
    const ip = servingIps(pod)[0];
    if (sidecar && ip) {
      sidecars.push({
        key: `${namespace}/${podName}`,
        id: `${namespace}/${podName}`,
        namespace,
        workload: name,
        pod: podName,
        kind: sidecar.kind,
        admin: adminEndpointOf(access, { namespace, name: podName, ip }, sidecar.port),
        statsPath: sidecar.statsPath,
      });
    }
  }

  const workloads: (WorkloadInfo & { key: string })[] = [...groups.entries()].map(([key, g]) => {
    // During a rollout pods of one workload may disagree on app/version: the newest serving pod wins.
    const newestFirst = [...g.pods].sort(
      (a, b) =>
        Number(servingIps(b).length > 0) - Number(servingIps(a).length > 0) || createdAt(b) - createdAt(a),
    );
    const identity = podIdentity(newestFirst[0] ?? {});
    return {
      key,
      namespace: g.namespace,
      name: g.name,
      app: identity.app ?? g.name,
      version: identity.version,
      addresses: sortedUnique(g.pods.flatMap(servingIps)),
      pods: g.pods.map((p) => p.metadata?.name ?? '').sort(),
      hasSidecar: g.pods.some((p) => podSidecar(p) !== undefined),
    };
  });

  return {
    workloads: workloads.sort(byKey).map(({ key: _, ...w }) => w),
    services: servicesOf(objects),
    sidecars: sidecars.sort(byKey).map(({ key: _, ...s }) => s),
  };
}

/**
 * Services with their ClusterIPs (none for a headless Service) and the ready endpoint addresses of
 * their EndpointSlices (tied by the `kubernetes.io/service-name` label; a missing `ready` condition
 * means ready, per the EndpointConditions docs).
 */
function servicesOf(objects: ClusterObjects): ServiceInfo[] {
  const endpoints = new Map<string, string[]>();
  for (const slice of objects.endpointSlices) {
    const service = slice.metadata?.labels?.['kubernetes.io/service-name'];
    if (!service || (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6')) continue;
    const key = `${slice.metadata?.namespace}/${service}`;
    const ips = endpoints.get(key) ?? [];
    for (const ep of slice.endpoints ?? []) if (ep.conditions?.ready !== false) ips.push(...ep.addresses);
    endpoints.set(key, ips);
  }
  return objects.services
    .map((svc) => {
      const namespace = svc.metadata?.namespace ?? 'default';
      const name = svc.metadata?.name ?? '';
      const clusterIps = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
      return {
        key: `${namespace}/${name}`,
        namespace,
        name,
        clusterIps: clusterIps.filter((ip) => ip !== '' && ip !== 'None'),
        endpointIps: sortedUnique(endpoints.get(`${namespace}/${name}`) ?? []),
        selector: { ...(svc.spec?.selector ?? {}) },
      };
    })
    .sort(byKey)
    .map(({ key: _, ...s }) => s);
}
