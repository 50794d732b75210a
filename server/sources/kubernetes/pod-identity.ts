// Who a pod is: its workload (the controller that owns it, following ReplicaSet → Deployment) and its
// app/version identity from labels, the way Kiali reads them. Pure.
import type { V1OwnerReference, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';

export type ReplicaSetLookup = (namespace: string, name: string) => V1ReplicaSet | undefined;

/** The controlling owner (`controller: true`), else the first owner. */
function controllerOf(refs: readonly V1OwnerReference[] | undefined): V1OwnerReference | undefined {
  return refs?.find((r) => r.controller) ?? refs?.[0];
}

/**
 * The pod's workload name: the Deployment behind its ReplicaSet, another owner's name (StatefulSet,
 * DaemonSet, Job, a bare ReplicaSet…), or the pod's own name when nothing owns it.
 */
export function workloadNameOf(pod: V1Pod, replicaSet: ReplicaSetLookup): string {
  const name = pod.metadata?.name ?? '';
  const owner = controllerOf(pod.metadata?.ownerReferences);
  if (!owner) return name;
  if (owner.kind !== 'ReplicaSet') return owner.name;
  const rs = replicaSet(pod.metadata?.namespace ?? '', owner.name);
  if (rs) {
    const rsOwner = controllerOf(rs.metadata?.ownerReferences);
    return rsOwner?.kind === 'Deployment' ? rsOwner.name : owner.name;
  }
  // The ReplicaSet is not in the cache (yet): the Deployment controller names its ReplicaSets
  // `<deployment>-<pod-template-hash>` and copies that label to the pods.
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -(hash.length + 1));
  return owner.name;
}

/** `app`/`version`, else the recommended `app.kubernetes.io/name`/`app.kubernetes.io/version`. */
export function podIdentity(pod: V1Pod): { app: string | undefined; version: string | undefined } {
  const labels = pod.metadata?.labels ?? {};
  return {
    app: labels['app'] ?? labels['app.kubernetes.io/name'],
    version: labels['version'] ?? labels['app.kubernetes.io/version'],
  };
}

/** The pod's IPs when it can serve traffic: Running with an address (dual-stack pods have two). */
export function servingIps(pod: V1Pod): string[] {
  if (pod.status?.phase !== 'Running') return [];
  const ips = (pod.status.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0 && pod.status.podIP) ips.push(pod.status.podIP);
  return ips;
}

/** Succeeded and Failed pods are finished (completed Jobs, evicted pods): no longer part of a workload. */
export function isFinished(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}
