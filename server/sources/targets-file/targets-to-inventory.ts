import type { Inventory, SidecarTarget, WorkloadInfo } from '../../model/inventory.ts';
import type { TargetsFile } from './targets-schema.ts';

/** Pure: a validated targets file as an inventory. */
export function targetsToInventory(file: TargetsFile): Inventory {
  const workloads: WorkloadInfo[] = [];
  const sidecars: SidecarTarget[] = [];
  for (const t of file.targets) {
    const admins = t.admin === undefined ? [] : Array.isArray(t.admin) ? t.admin : [t.admin];
    const pods = admins.map((_, i) => `${t.workload}-${i}`);
    workloads.push({
      namespace: t.namespace,
      name: t.workload,
      app: t.app ?? t.workload,
      version: t.version,
      addresses: t.addresses,
      pods,
      hasSidecar: admins.length > 0,
    });
    admins.forEach((url, i) => {
      const runtimeRoot = Array.isArray(t.runtimeDir) ? t.runtimeDir[i] : t.runtimeDir;
      const bootstrapPath = Array.isArray(t.bootstrap) ? t.bootstrap[i] : t.bootstrap;
      sidecars.push({
        id: `${t.namespace}/${t.workload}/${i}`,
        namespace: t.namespace,
        workload: t.workload,
        pod: pods[i],
        kind: t.kind,
        admin: { baseUrl: url.replace(/\/+$/, '') },
        statsPath: t.statsPath,
        ...(runtimeRoot !== undefined && {
          runtimeDir: { symlinkRoot: runtimeRoot, subdirectory: t.runtimeSubdirectory ?? '' },
        }),
        ...(bootstrapPath !== undefined && { bootstrapPath }),
      });
    });
  }
  return {
    workloads,
    sidecars,
    services: file.services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      clusterIps: s.clusterIps,
      endpointIps: s.addresses,
      selector: s.selector,
    })),
  };
}
