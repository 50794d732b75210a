// What an edge connects before a graph type is chosen: a workload (reached through a Service or not),
// a Service whose workloads are unknown, an unmapped destination, or the unknown callers of a
// workload's inbound listener. The node mapper turns these into nodes of the requested graph type.
import type { ServiceInfo, WorkloadInfo } from '../model/inventory.ts';

export type MeshEntity =
  | { kind: 'workload'; workload: WorkloadInfo; via: ServiceInfo | undefined }
  | { kind: 'service'; service: ServiceInfo }
  | { kind: 'unknown'; namespace: string; name: string }
  | { kind: 'inbound'; workload: WorkloadInfo };

/** One destination of a cluster, with the share of the cluster's traffic attributed to it (0..1). */
export interface Destination {
  entity: MeshEntity;
  share: number;
}

export function workloadEntity(workload: WorkloadInfo, via?: ServiceInfo): MeshEntity {
  return { kind: 'workload', workload, via };
}

/** Identity of an entity (ignoring `via`): the same workload reached through two Services is one. */
export function entityKey(e: MeshEntity): string {
  switch (e.kind) {
    case 'workload':
      return `w/${e.workload.namespace}/${e.workload.name}`;
    case 'service':
      return `s/${e.service.namespace}/${e.service.name}`;
    case 'unknown':
      return `u/${e.namespace}/${e.name}`;
    case 'inbound':
      return `i/${e.workload.namespace}/${e.workload.name}`;
  }
}
