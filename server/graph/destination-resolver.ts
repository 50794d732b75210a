// Where one upstream cluster of a sidecar sends its traffic, from the cluster's hosts
// (`/clusters?format=json` host_statuses): a host whose address (or `ip:port`) is a workload's is that
// workload; a host named `<svc>.<ns>.svc.cluster.local` (STRICT_DNS/LOGICAL_DNS keep the configured
// name as `hostname`), or whose address is a Service's ClusterIP, is that Service, and the workloads
// behind it when its endpoints are known; anything else is an `unknown` destination named after the
// cluster. A cluster with no host at all (a headless Service scaled to zero: its STRICT_DNS name
// resolves to nothing) is named from its configuration instead: the `load_assignment` addresses of
// its config_dump (`configured`), a `<svc>.<ns>.svc.cluster.local` name giving the Service.
//
// How a cluster's requests split over its hosts cannot be read from cluster stats (they count per
// cluster), so each destination gets the share of the hosts' load-balancing weights it holds: what
// ROUND_ROBIN / LEAST_REQUEST / RANDOM converge to. Envoy's per-host `rq_total` in /clusters would
// give exact shares; it is not in the scrape model yet. Which hosts share follows Envoy's panic rule
// with the cluster's own `healthy_panic_threshold` from its config_dump (`panicThresholds`), unless the
// sidecar's runtime sets `upstream.healthy_panic_threshold`, which Envoy puts over every cluster's.
import type { IntegerRuntime } from '../../proxy/router/cluster-choice.ts';
import { parseRuntimeInteger } from '../../proxy/runtime/runtime-values.ts';
import { DEFAULT_PANIC_THRESHOLD, effectivePanicThreshold } from '../../proxy/upstream/panic-threshold.ts';
import type { ServiceInfo, WorkloadInfo } from '../model/inventory.ts';
import type { SidecarScrape, UpstreamHost } from '../model/sidecar-data.ts';
import type { Destination, MeshEntity } from './mesh-entity.ts';
import { entityKey, workloadEntity } from './mesh-entity.ts';
import { isLoopback, type MeshIndex } from './mesh-index.ts';

/** Istio's cluster names: `outbound|<port>|<subset>|<fqdn>` (and `inbound|…` for the local app). */
const ISTIO_CLUSTER = /^(outbound|inbound)\|(\d*)\|([^|]*)\|(.*)$/;

/** Destinations per scrape and cluster, per inventory index (see scrapeDestinations). */
const resolved = new WeakMap<MeshIndex, WeakMap<SidecarScrape, Map<string, readonly Destination[]>>>();

/**
 * The destinations of a cluster as one scrape of the caller's sidecar describes it (its hosts, its
 * configured addresses, its panic thresholds and runtime), resolved once: every graph type, window and
 * filter built until the next scrape or the next inventory reads the same answer. The result is shared:
 * read it, never change it.
 */
export function scrapeDestinations(
  index: MeshIndex,
  caller: WorkloadInfo,
  scrape: SidecarScrape,
  cluster: string,
): readonly Destination[] {
  let byScrape = resolved.get(index);
  if (byScrape === undefined) {
    byScrape = new WeakMap();
    resolved.set(index, byScrape);
  }
  let byCluster = byScrape.get(scrape);
  if (byCluster === undefined) {
    byCluster = new Map();
    byScrape.set(scrape, byCluster);
  }
  let list = byCluster.get(cluster);
  if (list === undefined) {
    const hosts = scrape.hosts.get(cluster);
    list = clusterDestinations(
      index,
      caller,
      cluster,
      hosts,
      scrape.configuredAddresses?.get(cluster),
      effectivePanicThreshold(scrape.panicThresholds?.get(cluster), runtimeIntegers(scrape.runtime)),
    );
    byCluster.set(cluster, list);
  }
  return list;
}

export function clusterDestinations(
  index: MeshIndex,
  caller: WorkloadInfo,
  cluster: string,
  hosts: readonly UpstreamHost[] | undefined,
  configured?: readonly string[],
  /**
   * The threshold in force, in percent: the runtime's `upstream.healthy_panic_threshold`, else the
   * cluster's `healthy_panic_threshold`, else Envoy's 50; 0 never panics.
   */
  panicThreshold = DEFAULT_PANIC_THRESHOLD,
): Destination[] {
  const istio = ISTIO_CLUSTER.exec(cluster);
  // The sidecar's own app: Istio's inbound clusters, reached over the pod's network namespace.
  if (istio?.[1] === 'inbound') return [{ entity: workloadEntity(caller), share: 1 }];
  const subset = istio?.[3] || undefined;
  if (hosts === undefined || hosts.length === 0) {
    const service = istio === null ? undefined : index.serviceByDnsName(istio[4]);
    const parts =
      service === undefined
        ? configuredParts(index, caller, cluster, configured, subset)
        : serviceParts(index, service, subset);
    return parts.length > 0 ? parts : [{ entity: unknownEntity(caller, cluster), share: 1 }];
  }

  // One host (a single pod, a ClusterIP, a STRICT_DNS name): no weights to share.
  if (hosts.length === 1) {
    const parts = hostParts(index, caller, hosts[0]!, subset);
    return parts.length > 0 ? parts : [{ entity: unknownEntity(caller, cluster), share: 1 }];
  }
  const healthy = hosts.filter((h) => h.healthy);
  const healthyWeight = sumWeights(healthy);
  const allWeight = sumWeights(hosts);
  // Envoy's LoadBalancerBase::isHostSetInPanic: panic when the percentage of healthy hosts (a count,
  // whatever their weights) is below the threshold; the load balancer then ignores health and picks
  // among all hosts.
  const panic = healthy.length * 100 < panicThreshold * hosts.length;
  // No healthy host and no panic (threshold 0): Envoy answers 503 UH itself. The cluster's requests
  // are still spread over all its hosts, so the failing edge stays on the graph.
  const allHosts = panic || healthy.length === 0;
  const byKey = new Map<string, Destination>();
  for (const host of hosts) {
    if (!allHosts && !host.healthy) continue;
    const weight = hostWeight(host) / (allHosts ? allWeight : healthyWeight);
    let parts = hostParts(index, caller, host, subset);
    if (parts.length === 0) parts = [{ entity: unknownEntity(caller, cluster), share: 1 }];
    for (const part of parts) {
      const k = entityKey(part.entity);
      const seen = byKey.get(k);
      if (seen === undefined) byKey.set(k, { entity: part.entity, share: part.share * weight });
      else seen.share += part.share * weight;
    }
  }
  return [...byKey.values()];
}

function hostParts(
  index: MeshIndex,
  caller: WorkloadInfo,
  host: UpstreamHost,
  subset: string | undefined,
): Destination[] {
  const named = index.serviceByDnsName(host.hostname);
  const workload = index.workloadAt(host.address, host.port);
  if (workload !== undefined) return [{ entity: workloadEntity(workload, named), share: 1 }];
  const service = named ?? index.serviceByDnsName(host.address) ?? index.serviceByClusterIp(host.address);
  if (service !== undefined) return serviceParts(index, service, subset);
  // A loopback host no workload claims is the sidecar's own app (sidecars reach it over localhost).
  if (isLoopback(host.address)) return [{ entity: workloadEntity(caller), share: 1 }];
  return [];
}

/**
 * A hostless cluster's configured addresses, each an equal part (what a STRICT_DNS cluster spreads
 * over its names' hosts once they resolve): a Service DNS name is that Service; any other address is
 * the cluster's `unknown` destination, so its part is not pinned on the Services.
 */
function configuredParts(
  index: MeshIndex,
  caller: WorkloadInfo,
  cluster: string,
  configured: readonly string[] | undefined,
  subset: string | undefined,
): Destination[] {
  if (configured === undefined) return [];
  const byKey = new Map<string, Destination>();
  for (const address of configured) {
    const service = index.serviceByDnsName(address);
    const parts =
      service === undefined
        ? [{ entity: unknownEntity(caller, cluster), share: 1 }]
        : serviceParts(index, service, subset);
    for (const part of parts) {
      const k = entityKey(part.entity);
      const share = part.share / configured.length;
      const seen = byKey.get(k);
      if (seen === undefined) byKey.set(k, { entity: part.entity, share });
      else seen.share += share;
    }
  }
  return [...byKey.values()];
}

/**
 * A Service reached by its ClusterIP or DNS name: kube-proxy picks an endpoint at random, so each
 * workload behind it gets its share of the endpoints; a subset (Istio `outbound|port|v1|…`) keeps the
 * workloads of that version when there are any. Without known endpoints the Service itself is the
 * destination.
 */
function serviceParts(index: MeshIndex, service: ServiceInfo, subset: string | undefined): Destination[] {
  let behind = index.workloadsBehind(service);
  if (subset !== undefined) {
    const inSubset = behind.filter((b) => b.workload.version === subset);
    if (inSubset.length > 0) behind = inSubset;
  }
  if (behind.length === 0) return [{ entity: { kind: 'service', service }, share: 1 }];
  const total = behind.reduce((n, b) => n + b.endpoints, 0);
  return behind.map((b) => ({ entity: workloadEntity(b.workload, service), share: b.endpoints / total }));
}

function unknownEntity(caller: WorkloadInfo, cluster: string): MeshEntity {
  // Cluster names are local to a sidecar's configuration; within a namespace they usually mean the
  // same destination, so unknown destinations are kept per caller namespace.
  return { kind: 'unknown', namespace: caller.namespace, name: cluster };
}

/** A scrape's `/runtime` values read as Envoy's `getInteger` reads them. */
function runtimeIntegers(values: ReadonlyMap<string, string>): IntegerRuntime {
  return {
    getInteger(key, fallback) {
      const raw = values.get(key);
      return (raw === undefined ? undefined : parseRuntimeInteger(raw)) ?? fallback;
    },
  };
}

function hostWeight(h: UpstreamHost): number {
  // `load_balancing_weight` defaults to 1 (proto3 omits it).
  return h.weight > 0 ? h.weight : 1;
}

function sumWeights(hosts: readonly UpstreamHost[]): number {
  let n = 0;
  for (const h of hosts) n += hostWeight(h);
  return n;
}
