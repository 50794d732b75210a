// Look-ups over the inventory that graph building needs many times per build: workloads by name and by
// address, Services by DNS name, ClusterIP and endpoint, the sidecars of each workload. Built once per
// inventory (`MeshIndex.of`: discovery replaces the inventory object on every change) from plain data,
// and shared by every build until it changes; nothing here reads traffic.
import type { Inventory, ServiceInfo, SidecarTarget, WorkloadInfo } from '../model/inventory.ts';

/** `<service>.<namespace>.svc[.<cluster domain>]`, as Kubernetes DNS names Services (any cluster domain). */
const SERVICE_FQDN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.[^.]+)*\.?$/i;

const indexes = new WeakMap<Inventory, MeshIndex>();

export class MeshIndex {
  /**
   * The index of an inventory, built on first use. Workloads and Services it makes up from telemetry
   * (`ensureWorkload`, `serviceByDnsName`) stay for the inventory's life: a workload no discovery
   * knows keeps the Istio labels it was first seen with until the inventory changes.
   */
  static of(inventory: Inventory): MeshIndex {
    let index = indexes.get(inventory);
    if (index === undefined) {
      index = new MeshIndex(inventory);
      indexes.set(inventory, index);
    }
    return index;
  }

  readonly inventory: Inventory;
  private readonly workloads = new Map<string, WorkloadInfo>();
  /** Workloads by bare IP (listed bare, or only in `ip:port` pairs and claimed by no other workload). */
  private readonly byIp = new Map<string, WorkloadInfo>();
  /** Workloads listed as `ip:port`, by IP then port (no string to build per look-up). */
  private readonly byIpPort = new Map<string, Map<number, WorkloadInfo>>();
  private readonly services = new Map<string, ServiceInfo>();
  private readonly byClusterIp = new Map<string, ServiceInfo>();
  private readonly byEndpointIp = new Map<string, ServiceInfo[]>();
  /** Services whose selector names an app, by `namespace/app` (a selector without one selects no workload here). */
  private readonly bySelectorApp = new Map<string, ServiceInfo[]>();
  private readonly sidecars = new Map<string, SidecarTarget[]>();
  private readonly behind = new Map<ServiceInfo, { workload: WorkloadInfo; endpoints: number }[]>();
  private readonly home = new Map<WorkloadInfo, ServiceInfo | undefined>();
  private readonly callers = new Map<SidecarTarget, WorkloadInfo>();
  /** DNS names already looked at (null: not a Service name). */
  private readonly byDnsName = new Map<string, ServiceInfo | null>();
  private sorted: SidecarTarget[] | undefined;

  constructor(inventory: Inventory) {
    this.inventory = inventory;
    // An IP listed only as part of `ip:port` pairs still identifies its workload when no other workload
    // claims it: a STRICT_DNS host resolves to the pod IP with the port the cluster was configured with.
    const ipOwners = new Map<string, WorkloadInfo | null>();
    for (const w of inventory.workloads) {
      this.workloads.set(key(w.namespace, w.name), w);
      for (const address of w.addresses) {
        const { ip, port } = splitAddress(address);
        if (port === undefined) {
          this.byIp.set(ip, w);
          continue;
        }
        let ports = this.byIpPort.get(ip);
        if (ports === undefined) {
          ports = new Map();
          this.byIpPort.set(ip, ports);
        }
        ports.set(port, w);
        const owner = ipOwners.get(ip);
        ipOwners.set(ip, owner === undefined || owner === w ? w : null);
      }
    }
    for (const [ip, owner] of ipOwners) if (owner !== null && !this.byIp.has(ip)) this.byIp.set(ip, owner);
    for (const s of inventory.services) {
      this.services.set(key(s.namespace, s.name), s);
      for (const ip of s.clusterIps) this.byClusterIp.set(ip, s);
      for (const ip of s.endpointIps) push(this.byEndpointIp, ip, s);
      const app = s.selector['app'] ?? s.selector['app.kubernetes.io/name'];
      if (app !== undefined) push(this.bySelectorApp, key(s.namespace, app), s);
    }
    for (const sc of inventory.sidecars) {
      const k = key(sc.namespace, sc.workload);
      const list = this.sidecars.get(k);
      if (list === undefined) this.sidecars.set(k, [sc]);
      else list.push(sc);
    }
  }

  workload(namespace: string, name: string): WorkloadInfo | undefined {
    return this.workloads.get(key(namespace, name));
  }

  /** The workload a sidecar belongs to; one is made up from the sidecar's identity if discovery has none. */
  callerOf(sidecar: SidecarTarget): WorkloadInfo {
    let w = this.callers.get(sidecar);
    if (w === undefined) {
      w = this.ensureWorkload(sidecar.namespace, sidecar.workload, undefined, undefined, true);
      this.callers.set(sidecar, w);
    }
    return w;
  }

  /**
   * The inventory's workload, or one made up from what telemetry says about it (Istio labels), kept
   * for the rest of the build so every mention of it is the same node.
   */
  ensureWorkload(
    namespace: string,
    name: string,
    app: string | undefined,
    version: string | undefined,
    hasSidecar: boolean,
  ): WorkloadInfo {
    const known = this.workload(namespace, name);
    if (known !== undefined) return known;
    const made: WorkloadInfo = {
      namespace,
      name,
      app: app ?? name,
      version,
      addresses: [],
      pods: [],
      hasSidecar: hasSidecar || this.sidecarsOf(namespace, name).length > 0,
    };
    this.workloads.set(key(namespace, name), made);
    return made;
  }

  /** Workload serving on `address:port` (preferred) or `address`. */
  workloadAt(address: string, port: number | undefined): WorkloadInfo | undefined {
    if (port !== undefined && port > 0) {
      const w = this.byIpPort.get(address)?.get(port);
      if (w !== undefined) return w;
    }
    return this.byIp.get(address);
  }

  /** The Service a Kubernetes DNS name designates: the inventory's, or one made up from the name alone. */
  serviceByDnsName(host: string | undefined): ServiceInfo | undefined {
    if (host === undefined) return undefined;
    const known = this.byDnsName.get(host);
    if (known !== undefined) return known ?? undefined;
    const s = this.parseDnsName(host);
    this.byDnsName.set(host, s ?? null);
    return s;
  }

  private parseDnsName(host: string): ServiceInfo | undefined {
    const m = SERVICE_FQDN.exec(host);
    if (m === null) return undefined;
    const name = m[1]!.toLowerCase();
    const namespace = m[3]!.toLowerCase();
    const k = key(namespace, name);
    let s = this.services.get(k);
    if (s === undefined) {
      s = { namespace, name, clusterIps: [], endpointIps: [], selector: {} };
      this.services.set(k, s);
    }
    return s;
  }

  serviceByClusterIp(ip: string): ServiceInfo | undefined {
    return this.byClusterIp.get(ip);
  }

  /** Workloads behind a Service, with how many of its endpoints each serves. */
  workloadsBehind(service: ServiceInfo): { workload: WorkloadInfo; endpoints: number }[] {
    let list = this.behind.get(service);
    if (list === undefined) {
      const counts = new Map<WorkloadInfo, number>();
      for (const ip of service.endpointIps) {
        const w = this.byIp.get(ip);
        if (w !== undefined) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
      list = [...counts].map(([workload, endpoints]) => ({ workload, endpoints }));
      this.behind.set(service, list);
    }
    return list;
  }

  /**
   * The Service a workload is known by (for the service graph): one whose endpoints include the
   * workload's IPs, or whose selector its `app`/`version` match; the broadest selector wins (`reviews`
   * over `reviews-v1`), then the name.
   */
  homeService(w: WorkloadInfo): ServiceInfo | undefined {
    if (this.home.has(w)) return this.home.get(w);
    let best: ServiceInfo | undefined;
    const consider = (s: ServiceInfo) => {
      if (s.namespace === w.namespace && (best === undefined || broader(s, best))) best = s;
    };
    for (const address of w.addresses)
      for (const s of this.byEndpointIp.get(splitAddress(address).ip) ?? []) consider(s);
    for (const s of this.bySelectorApp.get(key(w.namespace, w.app)) ?? [])
      if (selects(s.selector, w)) consider(s);
    this.home.set(w, best);
    return best;
  }

  /** Every sidecar, by id: a stable order for what replicas are listed in. */
  sidecarsById(): readonly SidecarTarget[] {
    this.sorted ??= [...this.inventory.sidecars].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.sorted;
  }

  /** Sidecars grouped by workload (`namespace/workload`), in inventory order. */
  sidecarGroups(): IterableIterator<SidecarTarget[]> {
    return this.sidecars.values();
  }

  sidecarsOf(namespace: string, workload: string): SidecarTarget[] {
    return this.sidecars.get(key(namespace, workload)) ?? [];
  }

  /** Whether the workload's own sidecar reports its outbound traffic. */
  hasSidecar(namespace: string, workload: string): boolean {
    return (
      this.sidecarsOf(namespace, workload).length > 0 ||
      this.workload(namespace, workload)?.hasSidecar === true
    );
  }
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === 'localhost';
}

/** `ip:port`, `[v6]:port`, or a bare IP (v4 or v6). */
export function splitAddress(address: string): { ip: string; port: number | undefined } {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    const port = Number(address.slice(end + 2));
    return { ip: address.slice(1, end), port: Number.isInteger(port) && port > 0 ? port : undefined };
  }
  const colon = address.indexOf(':');
  if (colon === -1 || colon !== address.lastIndexOf(':')) return { ip: address, port: undefined };
  return { ip: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

function push<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list === undefined) map.set(k, [v]);
  else list.push(v);
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function selects(selector: Record<string, string>, w: WorkloadInfo): boolean {
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  const labels: Record<string, string | undefined> = {
    app: w.app,
    'app.kubernetes.io/name': w.app,
    version: w.version,
    'app.kubernetes.io/version': w.version,
  };
  return keys.every((k) => labels[k] !== undefined && labels[k] === selector[k]);
}

function broader(a: ServiceInfo, b: ServiceInfo): boolean {
  const ka = Object.keys(a.selector).length;
  const kb = Object.keys(b.selector).length;
  if (ka !== kb) return ka > 0 && (kb === 0 || ka < kb);
  return a.name < b.name;
}
