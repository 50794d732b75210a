// What discovery knows about the mesh, whatever the source (a targets file, Kubernetes informers, a
// simulated cluster): workloads with their addresses, Services, and the sidecars to scrape. The
// scraper and the graph builder depend on this model only, never on where it came from.
import type { SidecarKind } from '../../shared/api/sidecars.ts';
import type { IstioHostPolicy } from './policy-config.ts';

export interface WorkloadInfo {
  namespace: string;
  /** Deployment (or other owner) name; a bare pod's own name. */
  name: string;
  app: string;
  version: string | undefined;
  /** IPs (pod IPs in a cluster; loopback addresses in the demo) and `ip:port` pairs this workload serves on. */
  addresses: string[];
  /** Names of the pods (Kubernetes) or replicas; informative. */
  pods: string[];
  hasSidecar: boolean;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  /** ClusterIPs (empty for a headless Service). */
  clusterIps: string[];
  /** Pod IPs behind the Service (from EndpointSlices). */
  endpointIps: string[];
  /** The `app`/`version` selector, when it has one. */
  selector: Record<string, string>;
}

/**
 * How to reach a sidecar's admin API. `baseUrl` is `http://ip:port` in-cluster, or the API server's
 * `pods/proxy` URL from a laptop, in which case `headers`/`tls` carry the kubeconfig's credentials.
 */
export interface AdminEndpoint {
  baseUrl: string;
  headers?: Record<string, string>;
  /** For https API servers with a private CA or client certs (kubeconfig). */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
}

export interface SidecarTarget {
  /** Unique and stable: `namespace/pod` in Kubernetes, `namespace/workload/N` from a targets file. */
  id: string;
  namespace: string;
  workload: string;
  pod: string | undefined;
  kind: SidecarKind;
  admin: AdminEndpoint;
  /** Path of the Prometheus endpoint (Envoy: /stats/prometheus; istio-proxy merged: :15020/stats/prometheus). */
  statsPath: string;
  /**
   * The sidecar's runtime disk layer on this machine, when discovery says so (a targets file's
   * `runtimeDir`) and its config dump does not: where the weights API persists the weights it sets.
   */
  runtimeDir?: { symlinkRoot: string; subdirectory: string };
  /**
   * The sidecar's bootstrap file on this machine (a targets file's `bootstrap`): where the weights API
   * rewrites the weights of routes that have no runtime key prefix (the static strategy).
   */
  bootstrapPath?: string;
}

export interface Inventory {
  workloads: WorkloadInfo[];
  services: ServiceInfo[];
  sidecars: SidecarTarget[];
  /** Policies from Istio's VirtualServices and DestinationRules, when the cluster serves them. */
  istioPolicies?: IstioHostPolicy[];
}

export interface InventorySource {
  /** The current inventory (cheap: the source keeps it up to date). */
  current(): Inventory;
  /** Called after each change. */
  onChange(listener: () => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
