// The cluster DNS, simulated: a hosts(5) file answering `<service>.<namespace>.svc.cluster.local` the
// way CoreDNS's kubernetes plugin does: a ClusterIP Service's name gives its ClusterIP, a headless
// Service's name (`clusterIP: None`) the ready addresses of its EndpointSlices, one record each. Sidecars
// started with `--hosts-file` (SimulatedPodSpec.hostsFile) resolve their STRICT_DNS clusters through
// it, and the proxy reads the file again at every resolution, so a pod deleted or added shows up at the
// cluster's next `dns_refresh_rate`. A headless Service without ready endpoints has no record: the
// proxy then falls through to the system resolver, which answers NXDOMAIN for `*.cluster.local` (an
// empty answer, as CoreDNS gives).
import { renameSync, writeFileSync } from 'node:fs';
import type { FakeKubeApiServer, KubeObject } from '../fake-kube-apiserver.ts';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

interface SliceShape {
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
}

/** The hosts file lines for the Services and EndpointSlices the API server holds now. Pure. */
export function clusterDnsRecords(services: KubeObject[], slices: KubeObject[]): string[] {
  const lines: string[] = [];
  for (const svc of services) {
    const namespace = svc.metadata.namespace ?? 'default';
    const name = `${svc.metadata.name}.${namespace}.${CLUSTER_DOMAIN}`;
    const clusterIP = (svc['spec'] as { clusterIP?: string } | undefined)?.clusterIP;
    if (clusterIP !== undefined && clusterIP !== 'None') {
      lines.push(`${clusterIP} ${name}`);
      continue;
    }
    for (const slice of slices) {
      if (slice.metadata.namespace !== namespace) continue;
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
      for (const ep of (slice as SliceShape).endpoints ?? []) {
        // EndpointConditions: a missing `ready` means ready.
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) lines.push(`${ip} ${name}`);
      }
    }
  }
  return lines;
}

export class ClusterDns {
  readonly hostsFile: string;
  private readonly api: FakeKubeApiServer;
  private readonly unsubscribe: () => void;

  /** Writes `hostsFile` now and again after every change of a Service or EndpointSlice. */
  constructor(api: FakeKubeApiServer, hostsFile: string) {
    this.api = api;
    this.hostsFile = hostsFile;
    this.write();
    this.unsubscribe = api.store.subscribe((change) => {
      if (change.resource === 'services' || change.resource === 'endpointslices') this.write();
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private write(): void {
    const lines = clusterDnsRecords(this.api.store.list('services'), this.api.store.list('endpointslices'));
    // Renamed into place, so a resolution never reads half a file.
    const tmp = `${this.hostsFile}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`);
    renameSync(tmp, this.hostsFile);
  }
}
