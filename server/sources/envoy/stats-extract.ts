// One parsed `/stats/prometheus` scrape → the counters the graph needs: per upstream cluster, Istio's
// per-destination telemetry, and the inbound listener's requests.

import type { ParsedExposition } from '../../metrics/prom-exposition.ts';
import type { PolicyCounters } from '../../model/policy-config.ts';
import type {
  ClusterCounters,
  ClusterGauges,
  IstioDestinationCounters,
  SidecarScrape,
} from '../../model/sidecar-data.ts';
import { extractClusterGauges } from './cluster-gauges.ts';
import { extractClusterCounters } from './cluster-stats.ts';
import { defaultIsInboundHcm, extractDownstream, type InboundHcmPredicate } from './downstream-stats.ts';
import { extractIstioCounters } from './istio-stats.ts';
import { extractPolicyCounters } from './policy-stats.ts';

export interface StatsExtractOptions {
  /** Real cluster names (from /clusters), so stats of names with dots are attributed. */
  clusterNames?: Iterable<string>;
  /** Which HTTP connection manager stat prefixes are the sidecar's inbound side. */
  isInboundHcm?: InboundHcmPredicate;
}

export interface ExtractedStats {
  clusters: Map<string, ClusterCounters>;
  gauges: Map<string, ClusterGauges>;
  istio: IstioDestinationCounters[];
  downstream: SidecarScrape['downstream'];
  policyCounters: PolicyCounters;
}

export function extractStats(parsed: ParsedExposition, opts: StatsExtractOptions = {}): ExtractedStats {
  return {
    clusters: extractClusterCounters(parsed, opts.clusterNames),
    gauges: extractClusterGauges(parsed, opts.clusterNames),
    istio: extractIstioCounters(parsed),
    downstream: extractDownstream(parsed, opts.isInboundHcm ?? defaultIsInboundHcm),
    policyCounters: extractPolicyCounters(parsed, opts.clusterNames),
  };
}
