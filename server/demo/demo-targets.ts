// What the demo tells the rest of meshscope, as files: the targets file the dashboard discovers the mesh
// from (the same path as `meshscope --targets`), and the hosts(5) file the sidecars resolve STRICT_DNS
// names with (`meshscope-proxy --hosts-file`), standing in for cluster DNS. Pure.
import { stringify } from 'yaml';
import type { TargetsFile } from '../sources/targets-file/targets-schema.ts';
import { TargetsFileSchema } from '../sources/targets-file/targets-schema.ts';
import { type DemoService, type DemoWorkload, serviceDnsName, workloadNamed } from './demo-topology.ts';

export function adminUrl(w: DemoWorkload): string {
  return `http://${w.ip}:${w.adminPort}`;
}

/** The targets file of the demo, validated against the schema the dashboard loads it with. */
export function demoTargetsFile(
  workloads: readonly DemoWorkload[],
  services: readonly DemoService[],
): TargetsFile {
  return TargetsFileSchema.parse({
    targets: workloads.map((w) => ({
      namespace: w.namespace,
      workload: w.name,
      app: w.app,
      version: w.version,
      addresses: [w.ip],
      admin: adminUrl(w),
      kind: 'meshscope-proxy',
    })),
    services: services.map((s) => ({
      namespace: s.namespace,
      name: s.name,
      addresses: s.workloads.map((name) => workloadNamed(workloads, name).ip),
      selector: s.selector,
    })),
  });
}

export function demoTargetsYaml(file: TargetsFile): string {
  return `# Written by \`meshscope --demo\`: the local demo mesh on loopback (one address per workload).\n${stringify(file)}`;
}

/**
 * One line per Service name with its endpoints' IPs (a headless Service has one A record per ready pod),
 * in every form an app or a sidecar may dial: `name`, `name.namespace`, `name.namespace.svc.cluster.local`.
 */
export function demoHostsFile(workloads: readonly DemoWorkload[], services: readonly DemoService[]): string {
  const lines = ['# meshscope demo: Service names of the local mesh (read by meshscope-proxy --hosts-file)'];
  for (const s of services) {
    const names = [serviceDnsName(s.namespace, s.name), `${s.name}.${s.namespace}`, s.name].join(' ');
    for (const name of s.workloads) lines.push(`${workloadNamed(workloads, name).ip} ${names}`);
  }
  return `${lines.join('\n')}\n`;
}
