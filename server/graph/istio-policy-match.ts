// Istio's policies (from VirtualServices and DestinationRules, istio-policies.ts) onto the edges they
// govern: an edge's clusters name the destination host, either as istiod's cluster
// `outbound|<port>|<subset>|<host>` (cluster stats) or as the destination service FQDN (Istio
// telemetry); a subset is the cluster's, or the DestinationRule subset whose labels the edge's target
// carries (`version: v2`). Host-wide policies (a VirtualService route without a subset, the rule's
// top-level trafficPolicy) apply to every subset.
import type { Policies } from '../../shared/api/policies.ts';
import type { IstioHostPolicy } from '../model/policy-config.ts';
import { istioCluster } from '../weights/istio-virtualservice.ts';
import type { EdgeDraft } from './edge-book.ts';
import { mergePolicies } from './edge-policies.ts';
import type { NodeDraft } from './node-mapper.ts';

interface HostPolicies {
  host: Policies | undefined;
  subsets: IstioHostPolicy[];
}

export function applyIstioPolicies(
  entries: readonly IstioHostPolicy[] | undefined,
  edges: Iterable<EdgeDraft>,
): void {
  if (entries === undefined || entries.length === 0) return;
  const byHost = new Map<string, HostPolicies>();
  for (const e of entries) {
    let h = byHost.get(e.host);
    if (h === undefined) {
      h = { host: undefined, subsets: [] };
      byHost.set(e.host, h);
    }
    if (e.subset === undefined) h.host = e.policies;
    else h.subsets.push(e);
  }
  for (const edge of edges) {
    if (edge.mirror === true) continue;
    for (const cluster of edge.clusters) {
      const parsed = istioCluster(cluster);
      const host = parsed?.host ?? (cluster.includes('.svc.') ? cluster : undefined);
      const h = host === undefined ? undefined : byHost.get(host);
      if (h === undefined) continue;
      const subset =
        parsed !== undefined && parsed.subset !== ''
          ? h.subsets.find((s) => s.subset === parsed.subset)
          : h.subsets.find((s) => selects(s, edge.target));
      edge.policies = mergePolicies(edge.policies, mergePolicies(subset?.policies, h.host));
    }
  }
}

/**
 * Whether a subset selects the node: the labels the graph knows (app, version) must agree. A subset
 * no DestinationRule defines (only a VirtualService names it) is taken to be `version: <subset>`,
 * the convention Kiali's wizards and Istio's samples follow.
 */
function selects(subset: IstioHostPolicy, node: NodeDraft): boolean {
  const labels = subset.labels ?? (subset.subset === undefined ? undefined : { version: subset.subset });
  if (labels === undefined) return false;
  let checked = 0;
  for (const [k, v] of Object.entries(labels)) {
    const have = k === 'version' ? node.version : k === 'app' ? node.app : undefined;
    if (have === undefined) continue;
    if (have !== v) return false;
    checked++;
  }
  return checked > 0;
}
