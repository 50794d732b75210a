// The seam between where traffic figures come from and the graph: the metrics store (scraping sidecars
// directly) and the Prometheus source (PromQL over the same series) both implement TrafficSource, and
// the graph builder reads only this interface plus the inventory.
import type { Traffic } from '../../shared/api/graph.ts';
import type { PolicyFigures } from './policy-config.ts';
import type { IstioDestinationCounters, SidecarScrape } from './sidecar-data.ts';

export type IstioDestinationKey = Omit<IstioDestinationCounters, 'byCodeAndFlags' | 'duration'>;

export interface TrafficSource {
  readonly windowSeconds: number;
  /** Epoch ms of the newest data. */
  readonly updatedAt: number;
  /** Latest structural data per sidecar (clusters' hosts, routes, runtime); counters are read through the methods below. */
  latest(targetId: string): SidecarScrape | undefined;
  /** Traffic one sidecar sent to one upstream cluster over the window (rates, 503 causes, quantiles). */
  clusterTraffic(targetId: string, cluster: string): Traffic | undefined;
  /** Istio telemetry of one sidecar, per destination, over the window. */
  istioTraffic(targetId: string): { key: IstioDestinationKey; traffic: Traffic }[];
  /** Requests per second received by the sidecar's inbound listener(s). */
  inboundTraffic(targetId: string): Traffic | undefined;
  /** Rates of the policy counters (retries, timeouts, injected faults); absent where the source has none. */
  policyFigures?(targetId: string): PolicyFigures | undefined;
}
